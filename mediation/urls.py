from django.urls import path

from mediation.views import bulk, cases, evidence, lists

app_name = "mediation"

urlpatterns = [
    path("", lists.my_disputes, name="my_disputes"),
    path("new/", cases.file_dispute, name="file"),
    path("queue/", lists.queue, name="queue"),
    path("queue/export.<slug:fmt>", lists.queue_export, name="queue_export"),
    path("queue/bulk/", bulk.queue_bulk, name="queue_bulk"),
    path("queue/filters/", lists.saved_filter_save, name="saved_filter_save"),
    path("queue/filters/<int:pk>/delete/", lists.saved_filter_delete, name="saved_filter_delete"),
    path("record/", cases.record_dispute, name="record"),
    path("record/scans/", cases.letter_scan_upload, name="letter_scan_upload"),
    path("record/scans/<int:pk>/", cases.letter_scan, name="letter_scan"),
    path("closed/", lists.closed_cases, name="closed_cases"),
    path("referred/", lists.partner_cases, name="partner_cases"),
    path("<str:reference>/", cases.detail, name="detail"),
    path("<str:reference>/disclosure/", cases.disclosure, name="disclosure"),
    path("<str:reference>/agents/<int:pk>/revoke/", cases.agent_revoke, name="agent_revoke"),
    path("<str:reference>/evidence/", evidence.upload, name="evidence_upload"),
    path("<str:reference>/evidence/<int:pk>/", evidence.download, name="evidence_download"),
    path(
        "<str:reference>/consents/<int:consent_id>/withdraw/",
        cases.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<str:reference>/<slug:action>/", cases.dispute_action, name="action"),
]
