"""API views of members: thin; each calls one selector or service."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from common.api.errors import error_body
from contributors import lockout, selectors, services
from contributors.api.serializers import (
    ContributorSerializer,
    ProfileSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


class TokenView(APIView):
    """Exchange a user name and password for an API token, or revoke one's token."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer},
        auth=[],
        summary="Get an API token",
        description=(
            "Answers the member's token, creating it on first use. The same token is answered "
            "until it is revoked. After LOGIN_FAILURE_LIMIT wrong passwords for one user name "
            "(10 by default) within LOGIN_FAILURE_WINDOW seconds (900), that name is refused "
            "with 429 login_locked until the window ends, the right password included."
        ),
    )
    def post(self, request: Request) -> Response:
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            user = lockout.authenticate_member(
                request._request,
                username=given.validated_data["username"],
                password=given.validated_data["password"],
            )
        except lockout.LoginLocked as locked:
            return Response(
                error_body("login_locked", locked.message),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(locked.retry_after)},
            )
        if user is None:
            return Response(
                error_body("invalid_credentials", "The user name or the password is wrong."),
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = services.get_api_token(user)
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Revoke the API token",
        description="The token stops working at once; sign in again for a new one.",
    )
    def delete(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        services.revoke_api_token(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContributorDetailView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ContributorSerializer, summary="A member's public profile")
    def get(self, request: Request, username: str) -> Response:
        # No user name holds a NUL (which the path may carry as %00); PostgreSQL refuses it in
        # a query, so it is not looked up.
        user = None if "\x00" in username else selectors.active_member(username)
        if user is None:
            raise Http404
        return Response(ContributorSerializer(user, context={"request": request}).data)


class MeView(APIView):
    """The signed-in member's own profile."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ProfileSerializer, summary="Your profile")
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(
        request=ProfileSerializer, responses=ProfileSerializer, summary="Change your profile"
    )
    def patch(self, request: Request) -> Response:
        given = ProfileSerializer(request.user, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        user = services.update_profile(request.user, by=request.user, **given.validated_data)
        return Response(ProfileSerializer(user).data)
