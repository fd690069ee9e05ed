"""Writes for partners, referrals and bundles."""

from referrals.services.bundles import (
    bundle_generate,
    bundle_log_download,
    bundle_request,
    bundle_requeue_stale,
)

__all__ = ["bundle_generate", "bundle_log_download", "bundle_request", "bundle_requeue_stale"]
