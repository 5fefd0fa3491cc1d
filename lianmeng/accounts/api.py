"""Authentication: POST /api/v1/auth/token and the caller's own tokens."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from lianmeng.core.api_support import AUTH
from lianmeng.core.types import AuthedRequest

from . import services, throttle
from .models import ApiToken

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str
    name: str = ""
    otp: str = Field(
        "", description="两步验证码：已启用两步验证的账号（秘书处、管理员必须）须提供 6 位验证码或一个恢复码"
    )
    expires_in_days: int | None = Field(
        None,
        description="有效天数（1–3650）；不填为长期有效",
        json_schema_extra={"minimum": 1, "maximum": 3650},
    )


class TokenOut(Schema):
    token: str
    id: int


class TokenInfo(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="最近一次使用（每分钟至多记录一次）")
    revoked_at: datetime | None
    active: bool = Field(description="现在是否可用（未吊销、未过期）")

    @staticmethod
    def resolve_active(obj: ApiToken) -> bool:
        return obj.is_usable


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[dict[str, Any]]


@router.post("/auth/token", response={201: TokenOut}, auth=None)
def token_obtain(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """Exchange a user name and password for a bearer token (shown once; stored hashed)."""
    token, key = services.token_obtain(
        username=payload.username,
        password=payload.password,
        ip=throttle.client_ip(request),
        name=payload.name,
        otp=payload.otp,
        expires_in_days=payload.expires_in_days,
    )
    return Status(201, {"token": key, "id": token.pk})


@router.get("/auth/me", response=MeOut, auth=AUTH)
def me(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": str(user),
        "roles": [
            {"role": a.role, "organization": a.organization_id, "city": a.city_id}
            for a in user.role_assignments
        ],
    }


@router.get("/auth/tokens", response=list[TokenInfo], auth=AUTH)
def token_list(request: AuthedRequest) -> Any:
    return ApiToken.objects.filter(user=request.user).select_related("user")


@router.delete("/auth/tokens/{token_id}", response={204: None}, auth=AUTH)
def token_revoke(request: AuthedRequest, token_id: int) -> Status[Any]:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.token_revoke(token=token, actor=request.user)
    return Status(204, None)
