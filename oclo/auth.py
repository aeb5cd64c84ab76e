"""Who is asking: the client's address behind trusted proxies, and the login throttle."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def client_address(request) -> str:
    """The client's IP address, as the API throttle and the login lockout count it.

    ``X-Forwarded-For`` is anyone's to write: it is read only when ``OCLO_NUM_PROXIES``
    proxies of ours stand in front of the app, and then only the address the outermost of them
    added (the N-th from the right). DRF's throttles read it the same way (``NUM_PROXIES``).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = settings.OCLO_NUM_PROXIES
    if not proxies or not forwarded:
        return remote
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for sign-ins over HTTP. A sign-in with no request (the
    shell, a management command, the test client's ``login``) did not come from the network:
    it is left to the next backend instead of being an error."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_locked_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (429), in the admin's look."""
    context = {
        **admin.site.each_context(request),
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": settings.OCLO_LOGIN_COOLOFF_MINUTES,
    }
    return render(request, "admin/login_locked.html", context, status=429)
