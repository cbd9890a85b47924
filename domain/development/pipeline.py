"""The development pipeline as data (发展党员工作细则 2014, domain-rules §3): 5 stages, 25 steps.

Each step says which body acts (支委会, 支部大会, 基层党委, 组织部 …), which documents it
needs, whether it is a meeting with a vote, which people it names (培养联系人, 入党介绍人)
and whether a public notice (公示) goes with it. The time rules between steps are in
`timing`; the checks that combine them are in `transitions`. Keeping the steps as data
means a revision of the 细则 changes this table, not the code that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Stage(IntEnum):
    """The five stages (阶段)."""

    APPLICATION = 1  # 申请入党
    ACTIVIST = 2  # 入党积极分子的确定和培养教育
    CANDIDATE = 3  # 发展对象的确定和考察
    ADMISSION = 4  # 预备党员的接收
    PROBATION = 5  # 预备党员的教育考察和转正

    @property
    def zh(self) -> str:
        return _STAGE_ZH[self]


_STAGE_ZH = {
    Stage.APPLICATION: "申请入党",
    Stage.ACTIVIST: "入党积极分子的确定和培养教育",
    Stage.CANDIDATE: "发展对象的确定和考察",
    Stage.ADMISSION: "预备党员的接收",
    Stage.PROBATION: "预备党员的教育考察和转正",
}


class Body(StrEnum):
    """Who acts at a step (办理主体); it decides where the caller's permission is checked."""

    BRANCH = "branch"  # 党支部
    BRANCH_COMMITTEE = "branch_committee"  # 支部委员会（支委会）
    BRANCH_CONGRESS = "branch_congress"  # 支部党员大会
    PARTY_COMMITTEE = "party_committee"  # 基层党委（有审批权的）
    ORGANIZATION_DEPARTMENT = "organization_department"  # 上级党委组织部门

    @property
    def approving(self) -> bool:
        """Acts for the approving 基层党委 or above, not for the branch."""
        return self in (Body.PARTY_COMMITTEE, Body.ORGANIZATION_DEPARTMENT)


class Document(StrEnum):
    """Documents a step must attach (材料); each is an evidence upload."""

    APPLICATION_LETTER = "application_letter"  # 入党申请书
    TALK_RECORD = "talk_record"  # 谈话记录
    RECOMMENDATION = "recommendation"  # 推荐或推优材料
    FILING_RECORD = "filing_record"  # 备案材料
    REVIEW_RECORD = "review_record"  # 培养考察记录
    POLITICAL_VETTING = "political_vetting"  # 政治审查结论性材料
    TRAINING_CERTIFICATE = "training_certificate"  # 培训结业证明
    COMMITTEE_OPINION = "committee_opinion"  # 支委会审查意见
    PRE_REVIEW_OPINION = "pre_review_opinion"  # 基层党委预审意见
    APPLICATION_FORM = "application_form"  # 入党志愿书
    MEETING_MINUTES = "meeting_minutes"  # 会议记录
    INTERVIEW_RECORD = "interview_record"  # 党委谈话记录
    APPROVAL = "approval"  # 审批意见
    OATH_RECORD = "oath_record"  # 入党宣誓记录
    FULL_MEMBERSHIP_APPLICATION = "full_membership_application"  # 转正申请书
    ARCHIVE_LIST = "archive_list"  # 归档材料清单


class Meeting(StrEnum):
    """The meeting a step is taken at; its record is an activity of that kind."""

    COMMITTEE_MEETING = "committee_meeting"  # 支委会
    BRANCH_CONGRESS = "branch_congress"  # 支部党员大会


class Decision(StrEnum):
    """What a step decided. Most steps only record that they happened (`done`)."""

    DONE = "done"
    APPROVED = "approved"  # 通过 / 批准
    REJECTED = "rejected"  # 未通过 / 不予批准
    EXTEND = "extend"  # 延长预备期
    REVOKE = "revoke"  # 取消预备党员资格


@dataclass(frozen=True, slots=True)
class Step:
    """One of the 25 steps."""

    number: int
    code: str
    zh: str
    stage: Stage
    body: Body
    documents: tuple[Document, ...] = ()
    meeting: Meeting | None = None
    vote: bool = False
    decisions: tuple[Decision, ...] = (Decision.DONE,)
    mentors: tuple[int, int] | None = None
    """How many 培养联系人 (least, most) the step names; full members only."""
    sponsors: tuple[int, int] | None = None
    """How many 入党介绍人 (least, most) the step names; full members only."""
    public_notice: bool = False
    repeatable: bool = False
    """May be recorded again while it is the latest step (half-yearly reviews)."""


_YES_NO = (Decision.APPROVED, Decision.REJECTED)
_D = Document
_B = Body

STEPS: tuple[Step, ...] = (
    Step(
        1, "application", "递交入党申请书", Stage.APPLICATION, _B.BRANCH, (_D.APPLICATION_LETTER,)
    ),
    Step(2, "talk", "党组织派人谈话", Stage.APPLICATION, _B.BRANCH, (_D.TALK_RECORD,)),
    Step(
        3,
        "activist_selection",
        "确定入党积极分子",
        Stage.ACTIVIST,
        _B.BRANCH_COMMITTEE,
        (_D.RECOMMENDATION,),
        meeting=Meeting.COMMITTEE_MEETING,
        public_notice=True,
    ),
    Step(4, "activist_filing", "报上级党委备案", Stage.ACTIVIST, _B.BRANCH, (_D.FILING_RECORD,)),
    Step(
        5,
        "mentors",
        "指定培养联系人",
        Stage.ACTIVIST,
        _B.BRANCH_COMMITTEE,
        meeting=Meeting.COMMITTEE_MEETING,
        mentors=(1, 2),
    ),
    Step(
        6,
        "activist_review",
        "培养教育考察",
        Stage.ACTIVIST,
        _B.BRANCH_COMMITTEE,
        (_D.REVIEW_RECORD,),
        repeatable=True,
    ),
    Step(
        7,
        "candidate_selection",
        "确定发展对象",
        Stage.CANDIDATE,
        _B.BRANCH_COMMITTEE,
        (_D.RECOMMENDATION,),
        meeting=Meeting.COMMITTEE_MEETING,
        public_notice=True,
    ),
    Step(8, "candidate_filing", "报上级党委备案", Stage.CANDIDATE, _B.BRANCH, (_D.FILING_RECORD,)),
    Step(
        9,
        "sponsors",
        "确定入党介绍人",
        Stage.CANDIDATE,
        _B.BRANCH_COMMITTEE,
        meeting=Meeting.COMMITTEE_MEETING,
        sponsors=(2, 2),
    ),
    Step(
        10,
        "political_vetting",
        "进行政治审查",
        Stage.CANDIDATE,
        _B.BRANCH_COMMITTEE,
        (_D.POLITICAL_VETTING,),
    ),
    Step(
        11,
        "concentrated_training",
        "开展集中培训",
        Stage.CANDIDATE,
        _B.PARTY_COMMITTEE,
        (_D.TRAINING_CERTIFICATE,),
    ),
    Step(
        12,
        "committee_review",
        "支部委员会审查",
        Stage.ADMISSION,
        _B.BRANCH_COMMITTEE,
        (_D.COMMITTEE_OPINION,),
        meeting=Meeting.COMMITTEE_MEETING,
        public_notice=True,
    ),
    Step(
        13,
        "pre_review",
        "上级党委预审",
        Stage.ADMISSION,
        _B.PARTY_COMMITTEE,
        (_D.PRE_REVIEW_OPINION,),
        decisions=_YES_NO,
    ),
    Step(
        14, "application_form", "填写入党志愿书", Stage.ADMISSION, _B.BRANCH, (_D.APPLICATION_FORM,)
    ),
    Step(
        15,
        "admission_vote",
        "支部党员大会讨论",
        Stage.ADMISSION,
        _B.BRANCH_CONGRESS,
        (_D.MEETING_MINUTES,),
        meeting=Meeting.BRANCH_CONGRESS,
        vote=True,
        decisions=_YES_NO,
    ),
    Step(
        16,
        "committee_interview",
        "上级党委派人谈话",
        Stage.ADMISSION,
        _B.PARTY_COMMITTEE,
        (_D.INTERVIEW_RECORD,),
    ),
    Step(
        17,
        "admission_approval",
        "上级党委审批",
        Stage.ADMISSION,
        _B.PARTY_COMMITTEE,
        (_D.APPROVAL,),
        decisions=_YES_NO,
    ),
    Step(
        18,
        "admission_filing",
        "报上级党委组织部门备案",
        Stage.ADMISSION,
        _B.ORGANIZATION_DEPARTMENT,
        (_D.FILING_RECORD,),
    ),
    Step(19, "placement", "编入党支部和党小组", Stage.PROBATION, _B.BRANCH),
    Step(20, "oath", "入党宣誓", Stage.PROBATION, _B.BRANCH, (_D.OATH_RECORD,)),
    Step(
        21,
        "probation_review",
        "继续教育考察",
        Stage.PROBATION,
        _B.BRANCH_COMMITTEE,
        (_D.REVIEW_RECORD,),
        repeatable=True,
    ),
    Step(
        22,
        "full_membership_application",
        "提出转正申请",
        Stage.PROBATION,
        _B.BRANCH,
        (_D.FULL_MEMBERSHIP_APPLICATION,),
    ),
    Step(
        23,
        "full_membership_vote",
        "支部党员大会讨论转正",
        Stage.PROBATION,
        _B.BRANCH_CONGRESS,
        (_D.MEETING_MINUTES,),
        meeting=Meeting.BRANCH_CONGRESS,
        vote=True,
        decisions=(Decision.APPROVED, Decision.EXTEND, Decision.REVOKE),
        public_notice=True,
    ),
    Step(
        24,
        "full_membership_approval",
        "上级党委审批转正",
        Stage.PROBATION,
        _B.PARTY_COMMITTEE,
        (_D.APPROVAL,),
        decisions=_YES_NO,
    ),
    Step(25, "archiving", "材料归档", Stage.PROBATION, _B.BRANCH, (_D.ARCHIVE_LIST,)),
)

STEP_BY_NUMBER: dict[int, Step] = {s.number: s for s in STEPS}
STEP_BY_CODE: dict[str, Step] = {s.code: s for s in STEPS}
LAST_STEP = STEPS[-1].number


def step_named(key: str) -> Step | None:
    """A step by its number ("15") or its code ("admission_vote")."""
    if key.isdigit():
        return STEP_BY_NUMBER.get(int(key))
    return STEP_BY_CODE.get(key)
