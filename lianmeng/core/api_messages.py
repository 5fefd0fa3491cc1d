"""The API's own error texts. They live in the core app (not in ``lianmeng/api.py``, which belongs to no
app) so that ``makemessages`` in ``lianmeng/core`` finds them and English clients get English."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

INVALID_DATA = _("提交的数据有误")
NO_PERMISSION = _("您没有执行此操作的权限")
FORBIDDEN = _("禁止访问")
SIGN_IN_REQUIRED = _("需要登录")
SEND_BEARER = _("请先取得 API 令牌并以 Authorization: Bearer 发送")
NOT_FOUND = _("未找到")
NOT_FOUND_DETAIL = _("对象不存在或您无权查看")
BAD_REQUEST = _("请求无效")
NOT_JSON = _("请求内容不是有效的 JSON")
TOO_LARGE = _("请求内容过大")
SERVER_ERROR = _("服务器出错")
SERVER_ERROR_DETAIL = _("服务器处理请求时出错，已记录此错误")
