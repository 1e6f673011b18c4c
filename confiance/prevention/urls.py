"""Pages of the prevention app (namespaced)."""

from django.urls import URLPattern, path

from confiance.prevention.views import otv_police, otv_public, participation, reserve

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
    # --- Participation citoyenne
    path("prevention/participation/", participation.participation, name="participation"),
    path("prevention/participation/protocole", participation.protocol_create, name="protocol_create"),
    path("prevention/participation/referents", participation.referent_create, name="referent_create"),
    path("prevention/participation/referents/<int:referent_id>/revoquer", participation.referent_revoke_view,
         name="referent_revoke"),
    path("prevention/participation/referents/<int:referent_id>/nouveau-lien", participation.referent_renew_view,
         name="referent_renew"),
    path("prevention/participation/messages", participation.message_send, name="message_send"),
    path("prevention/participation/console.json", participation.console_state, name="observations-console"),
    path("prevention/participation/observations/<int:observation_id>/", participation.observation_detail,
         name="observation"),
    path("participation/r/<str:token>/", participation.referent_page, name="referent_page"),
    # --- Réserve communale
    path("prevention/reserve/", reserve.reserve, name="reserve"),
    path("prevention/reserve/reservistes", reserve.volunteer_create, name="volunteer_create"),
    path("prevention/reserve/reservistes/<int:volunteer_id>/depart", reserve.volunteer_leave_view,
         name="volunteer_leave"),
    path("prevention/reserve/mobilisations", reserve.mobilisation_create, name="mobilisation_create"),
    path("prevention/reserve/mobilisations/<int:mobilisation_id>/", reserve.mobilisation_detail,
         name="mobilisation"),
    path("prevention/reserve/missions", reserve.mission_create_view, name="mission_create"),
    path("prevention/reserve/missions/<int:mission_id>/affecter", reserve.mission_assign_view, name="mission_assign"),
    path("prevention/reserve/affectations/<int:assignment_id>/heures", reserve.assignment_hours_view,
         name="assignment_hours"),
    path("reserve/reponse/<str:token>/", reserve.reserve_answer, name="reserve_answer"),
]
