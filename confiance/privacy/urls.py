"""Pages of the DPO and the RSSI (under /agents/vie-privee/) and the public transparency page of each commune."""

from django.urls import path

from confiance.privacy.views import breaches, public, register, review, rights, security

app_name = "privacy"

urlpatterns = [
    path("agents/vie-privee/", register.home, name="home"),
    path("agents/vie-privee/registre/", register.register, name="register"),
    path("agents/vie-privee/registre.csv", register.register_csv, name="register-csv"),
    path("agents/vie-privee/registre.pdf", register.register_pdf, name="register-pdf"),
    path("agents/vie-privee/aipd/<str:key>/", register.dpia, name="dpia"),
    path("agents/vie-privee/aipd/<str:key>/aipd.md", register.dpia_download, name="dpia-download"),
    path("agents/vie-privee/demandes/", rights.request_list, name="requests"),
    path("agents/vie-privee/demandes/<int:request_id>/", rights.request_detail, name="request"),
    path("agents/vie-privee/demandes/<int:request_id>/prolonger", rights.request_extend, name="request-extend"),
    path("agents/vie-privee/demandes/<int:request_id>/effacer", rights.request_erase, name="request-erase"),
    path("agents/vie-privee/demandes/<int:request_id>/cloturer", rights.request_close, name="request-close"),
    path("agents/vie-privee/demandes/<int:request_id>/export.<str:fmt>", rights.request_export,
         name="request-export"),
    path("agents/vie-privee/consultations/", review.access_review_page, name="access-review"),
    path("agents/vie-privee/consultations.csv", review.access_review_csv, name="access-review-csv"),
    path("agents/vie-privee/consultations.pdf", review.access_review_pdf, name="access-review-pdf"),
    path("agents/vie-privee/conservation/", review.retention, name="retention"),
    path("agents/vie-privee/violations/", breaches.breach_list, name="breaches"),
    path("agents/vie-privee/violations/<int:breach_id>/", breaches.breach_detail, name="breach"),
    path("agents/vie-privee/charte/", public.charter, name="charter"),
    path("agents/securite/", security.security, name="security"),
    path("agents/securite/echecs.csv", security.security_csv, name="security-csv"),
    path("transparence/<str:insee_code>/", public.transparency, name="transparency"),
]
