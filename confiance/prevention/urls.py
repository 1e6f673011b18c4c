"""Pages of the prevention app (namespaced)."""

from django.urls import path

from confiance.prevention.views import participation, reserve

app_name = "prevention"

urlpatterns = [
    # --- Participation citoyenne
    path("prevention/participation/", participation.participation, name="participation"),
    path("prevention/participation/protocole", participation.protocol_create, name="protocol_create"),
    path("prevention/participation/referents", participation.referent_create, name="referent_create"),
    path("prevention/participation/referents/<int:referent_id>/revoquer", participation.referent_revoke_view,
         name="referent_revoke"),
    path("prevention/participation/referents/<int:referent_id>/nouveau-lien", participation.referent_renew_view,
         name="referent_renew"),
    path("prevention/participation/messages", participation.message_send, name="message_send"),
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
