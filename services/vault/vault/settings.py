"""The vault's settings, read once per container from the nameko config or
the environment (see the README's configuration table). A missing or weak
master key stops the service at start."""
from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from kit.config import setting
from vault.crypto import MasterKeys
from vault.documents import MEBIBYTE, Limits
from vault.filetypes import DEFAULT_MAX_PIXELS


@dataclass(frozen=True)
class Retention:
    expired_document_months: int = 6
    journal_months: int = 24
    outbox_days: int = 30
    orphan_grace_hours: int = 1


@dataclass(frozen=True)
class VaultSettings:
    keys: MasterKeys
    limits: Limits
    max_image_pixels: int
    share_days_after_close: int
    expiry_notice_days: int
    retention: Retention
    housekeeping_seconds: int
    spool_dir: str | None
    export_hours: int

    @classmethod
    def from_config(cls, config=None):
        def number(name, default):
            return int(setting(config, name, default))

        return cls(
            keys=MasterKeys.from_settings(setting(config, "VAULT_MASTER_KEY"),
                                          setting(config, "VAULT_PREVIOUS_MASTER_KEYS", "")),
            limits=Limits(max_file_bytes=number("VAULT_MAX_FILE_BYTES", 10 * MEBIBYTE),
                          max_documents=number("VAULT_MAX_DOCUMENTS", 50),
                          max_bytes=number("VAULT_QUOTA_BYTES", 200 * MEBIBYTE)),
            max_image_pixels=number("VAULT_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS),
            share_days_after_close=number("VAULT_SHARE_DAYS_AFTER_CLOSE", 30),
            expiry_notice_days=number("VAULT_EXPIRY_NOTICE_DAYS", 30),
            retention=Retention(
                expired_document_months=number("VAULT_RETENTION_EXPIRED_MONTHS", 6),
                journal_months=number("VAULT_RETENTION_JOURNAL_MONTHS", 24),
                outbox_days=number("VAULT_RETENTION_OUTBOX_DAYS", 30),
                orphan_grace_hours=number("VAULT_ORPHAN_GRACE_HOURS", 1)),
            housekeeping_seconds=number("VAULT_HOUSEKEEPING_SECONDS", 3600),
            spool_dir=setting(config, "VAULT_SPOOL_DIR"),
            export_hours=number("VAULT_EXPORT_HOURS", 48),
        )


class Settings(DependencyProvider):
    def setup(self):
        self.settings = VaultSettings.from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings
