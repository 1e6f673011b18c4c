"""What every agents' page needs first: the actor behind the request, and the refusal page."""

from django.shortcuts import render

from confiance.accounts.access import Actor


def actor_of(request) -> Actor:
    return Actor(agent=request.user)


def forbidden(request, message: str):
    return render(request, "console/forbidden.html", {"message": message}, status=403)
