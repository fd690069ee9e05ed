"""The audit chain becomes keyed (HMAC-SHA256 with AUDIT_KEY, portal/audit.py): the events
written before are checked against their old, unkeyed SHA-256 chain and signed again in order.
A chain already broken is not signed again: the migration stops and says where."""

import hashlib
import hmac

from django.db import migrations


def sign_again(apps, schema_editor):
    from portal.audit import GENESIS_HASH, audit_key, chain_payload

    AuditEvent = apps.get_model("portal", "AuditEvent")
    AuditChainHead = apps.get_model("portal", "AuditChainHead")
    key = audit_key()
    old_prev, new_prev = GENESIS_HASH, GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if hashlib.sha256(chain_payload(event, old_prev)).hexdigest() != event.hash:
            raise RuntimeError(
                f"audit event #{event.seq} does not match the unkeyed chain: investigate before "
                "migrating (the chain is not signed again over an altered event)"
            )
        old_prev = event.hash
        new_hash = hmac.new(key, chain_payload(event, new_prev), hashlib.sha256).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=new_prev, hash=new_hash)
        new_prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=new_prev)


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_verified_mobiles_and_one_time_codes")]

    operations = [migrations.RunPython(sign_again, migrations.RunPython.noop)]
