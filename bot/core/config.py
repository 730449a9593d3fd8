"""Settings: every knob has an environment variable and a safe default.

Built once in the composition root (``handlers/cli/root.py``) and passed down; never at import time.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def normalise_database_url(url: str) -> str:
    """Accept Heroku's ``postgres://`` form and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """All podbrief settings. Field ``foo_bar`` reads env var ``FOO_BAR``."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    # storage
    database_url: str = "sqlite:///podbrief.db"
    auto_migrate: bool = True

    # feeds
    user_agent: str = "podbrief/0.1 (+https://github.com/podbrief/podbrief)"
    poll_interval_minutes: int = 30
    poll_concurrency: int = 16
    per_host_concurrency: int = 2
    full_fetch_hours: int = 24
    max_feed_bytes: int = 20 * 1024 * 1024
    max_transcript_bytes: int = 20 * 1024 * 1024
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    fetch_deadline_s: float = 120.0  # whole request, so a trickling body cannot hold a slot
    allow_private_urls: bool = False
    initial_episodes: int = 3
    failing_after: int = 3

    # processing
    process_concurrency: int = 2
    process_max_attempts: int = 5
    worker_id: str = ""
    process_retry_minutes: float = 5.0  # first retry delay; doubles per attempt
    claim_timeout_minutes: float = 30.0  # an episode claim older than this was abandoned
    delivery_claim_timeout_s: float = 120.0  # a delivery claim older than this is retried
    shutdown_grace_s: float = 18.0  # SIGTERM: finish in-flight work this long, then release

    # insights and ranking
    insights_per_episode: int = 12
    brief_size: int = 5
    freshness_days: int = 7
    max_items_per_episode: int = 2
    related_per_item: int = 3
    min_topic_relevance: float = 0.5

    # schedule
    default_brief_time: str = "08:00"
    default_timezone: str = "UTC"
    poll_job_minutes: float = 5.0  # how often the clock looks for due feeds
    process_job_seconds: float = 30.0  # how often a worker looks for pending episodes
    delivery_concurrency: int = 4  # channels served at once by a brief tick
    post_empty_briefs: bool = False  # post a "nothing new" note instead of staying quiet
    delivery_max_attempts: int = 5  # ticks (5 minutes apart) that try one brief before giving up
    retention_days: int = 90  # housekeeping prunes delivery ledger rows older than this

    # transcription (AssemblyAI)
    assemblyai_api_key: SecretStr | None = None
    assemblyai_base_url: str = "https://api.assemblyai.com"
    assemblyai_webhook_url: str | None = None
    transcribe: Literal["matching", "all", "never"] = "matching"
    transcribe_hours_per_day: float = 5.0
    transcribe_hours_per_month: float = 100.0
    price_audio_hour_usd: float = 0.37
    assemblyai_webhook_secret: SecretStr | None = None  # checked on the webhook's auth header
    assemblyai_poll_timeout_s: float = 4 * 3600.0
    transcribe_budget_warn_ratio: float = 0.8

    # LLM (OpenAI or any compatible server)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4.1-mini"
    openai_embedding_model: str = "text-embedding-3-small"
    embeddings: bool = False
    llm_context_tokens: int = 128_000
    price_input_per_mtok_usd: float = 0.40
    price_output_per_mtok_usd: float = 1.60
    price_embedding_per_mtok_usd: float = 0.02
    openai_timeout_s: float = 120.0
    openai_output_tokens: int = 8_000  # reserved for the reply when sizing the transcript
    structured_outputs: Literal["auto", "json_schema", "json"] = "auto"

    # resilience for paid services (retries are ours: the SDKs' own are switched off)
    provider_max_attempts: int = 4
    provider_max_wait_s: float = 30.0
    circuit_failures: int = 5
    circuit_reset_s: float = 300.0

    # search: pseudo-relevance feedback expansion (bot/expansion.py); measured no recall gain
    search_feedback: bool = False

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str | None = None
    slack_admins_only: bool = False  # true: only workspace admins/owners change channel setup
    slack_http_host: str = "0.0.0.0"
    port: int = Field(default=3000)

    # Discord
    discord_token: SecretStr | None = None
    discord_application_id: str | None = None
    discord_api_url: str | None = None  # e.g. http://127.0.0.1:8123/api/v10 in tests
    discord_workers: int = 8  # threads running commands for Discord (slow LLM answers)
    discord_message_content: bool = True  # privileged intent: plain questions in brief threads

    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _normalise_db(cls, value: str) -> str:
        return normalise_database_url(value)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")
