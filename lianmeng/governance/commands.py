"""The governance writes' typed inputs (lianmeng.core.commands): the API's request bodies, what the
forms build from their cleaned data, what services take."""

from datetime import datetime
from typing import Annotated

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from pydantic import Field, ValidationInfo, field_validator, model_validator

from lianmeng.core.commands import Choice, Command, Ref, Text, When, rule

from .models import Ballot, MotionKind


class MotionCreate(Command):
    """A council motion (a draft, or opened at once by the secretariat). A motion on a membership
    application is always an admission motion; handovers are proposed from the presidency page."""

    title: Annotated[str, Text(_l("议案标题"), max_length=200)]
    text: Annotated[str, Text(_l("议案正文"), max_length=20000)]
    kind: Annotated[str, Choice(_l("议案类型"), MotionKind)] = MotionKind.ORDINARY
    ballot: Annotated[str, Choice(_l("表决方式"), Ballot)] = Ballot.OPEN
    opens_at: Annotated[datetime | None, When(_l("表决开始"))] = None
    closes_at: Annotated[datetime | None, When(_l("表决截止"))] = None
    meeting: Annotated[int | None, Ref(_l("会议"))] = None
    application: Annotated[int | None, Ref(_l("入盟申请"))] = Field(None, validate_default=True)

    # Field validators (not one model validator) so that each rule reports even when another field is bad.
    @field_validator("kind")
    @classmethod
    def _not_a_handover(cls, kind: str) -> str:
        if kind == MotionKind.HANDOVER:
            raise rule(_("轮值交接议案请在“轮值主席”页面提请，议案会关联待办理的交接"))
        return kind

    @field_validator("closes_at")
    @classmethod
    def _closes_after_opening(cls, closes_at: datetime | None, info: ValidationInfo) -> datetime | None:
        opens_at = info.data.get("opens_at")
        if opens_at and closes_at and closes_at <= opens_at:
            raise rule(_("表决截止时间须晚于开始时间"))
        return closes_at

    @field_validator("application")
    @classmethod
    def _admission_needs_application(cls, application: int | None, info: ValidationInfo) -> int | None:
        if application is None and info.data.get("kind") == MotionKind.ADMISSION:
            raise rule(_("入盟表决须关联一份初审通过的入盟申请"))
        return application

    @model_validator(mode="after")
    def _application_decides_admission(self) -> "MotionCreate":
        # A motion on an application decides the admission: it is an admission motion.
        if self.application is not None and self.kind != MotionKind.ADMISSION:
            object.__setattr__(self, "kind", MotionKind.ADMISSION)
        return self
