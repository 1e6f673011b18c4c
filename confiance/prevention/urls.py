"""Pages of the prevention app (namespaced)."""

from django.urls import URLPattern, path

from confiance.prevention.views import otv_police, otv_public

app_name = "prevention"

urlpatterns: list[URLPattern] = [
    # --- Opération Tranquillité Vacances
    path("tranquillite-vacances/", otv_public.otv_register, name="otv-register"),
    path("tranquillite-vacances/recue/", otv_public.otv_sent, name="otv-sent"),
    path("tranquillite-vacances/inscription/<str:token>/", otv_public.otv_manage, name="otv-manage"),
    path("agents/otv/", otv_police.otv_homes, name="otv-homes"),
    path("agents/otv/tournee.pdf", otv_police.otv_route_pdf, name="otv-route-pdf"),
    path("agents/otv/terrain/", otv_police.otv_field, name="otv-field"),
    path("agents/otv/passage/<int:registration_id>/", otv_police.otv_passage, name="otv-passage"),
    path("agents/otv/chiffres/", otv_police.otv_figures_view, name="otv-figures"),
    # --- end of Opération Tranquillité Vacances
]
