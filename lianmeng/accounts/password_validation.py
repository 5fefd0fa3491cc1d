"""Django's password rules with our own messages, so they read in Chinese (Django's zh_Hans catalog
lacks the minimum-length ones) and in complete English (lianmeng/accounts/locale)."""

from __future__ import annotations

from django.contrib.auth import password_validation as base
from django.utils.translation import gettext as _


class MinimumLengthValidator(base.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("至少 %(min_length)d 个字符") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(base.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("密码与%(verbose_name)s太相似")

    def get_help_text(self) -> str:
        return _("不能与用户名、姓名、邮箱等个人信息相似")


class CommonPasswordValidator(base.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("这个密码太常见，容易被猜中，请换一个")

    def get_help_text(self) -> str:
        return _("不能是常用密码")


class NumericPasswordValidator(base.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全是数字")

    def get_help_text(self) -> str:
        return _("不能全是数字")
