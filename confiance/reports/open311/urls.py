from django.urls import re_path

from confiance.reports.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[-\w]{1,64})" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests_endpoint, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/.]{1,40})" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[-\w]{1,64})" + FMT, views.token_detail, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.service_request_updates, name="updates"),
    # Anything else, in Open311's error format: JSON for a path ending in .json, XML otherwise.
    re_path(r"^(?P<rest>.*)\.(?P<fmt>json)$", views.not_found),
    re_path(r"^(?P<rest>.*)$", views.not_found, {"fmt": "xml"}),
]
