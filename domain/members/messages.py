"""Every sentence the member registry says to a user (zh-CN and en), by key.

Keys are namespaced `members.`; an error's stable code is given where it is raised when it
differs from the key. Templates take `{name}` placeholders.
"""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "members",
    {
        # identity
        "members.id_number_length": Message(
            "身份证号应为18位，实际为{count}位",
            "The ID number must have 18 characters, not {count}",
        ),
        "members.id_number_format": Message(
            "身份证号前17位应为数字，最后一位为数字或X",
            "The ID number must be 17 digits followed by a digit or X",
        ),
        "members.id_number_birth_date": Message(
            "身份证号中的出生日期晚于今天",
            "The birth date in the ID number is in the future",
        ),
        "members.id_number_check_digit": Message(
            "身份证号校验位不正确，请核对是否有数字录错",
            "The ID number's check character is wrong; a digit was probably mistyped",
        ),
        "members.id_number_province": Message(
            "身份证号前两位 {province} 不是有效的省级行政区划代码，请核对",
            "The ID number's first two digits {province} are no province-level code",
        ),
        "members.id_number_area": Message(
            "身份证号前六位 {area} 不是{province_name}的有效行政区划代码，请核对",
            "The first six digits {area} of the ID number are no division code of province "
            "{province}",
        ),
        "members.phone_format": Message(
            "手机号应为11位大陆手机号码，以13至19开头",
            "The phone must be an 11-digit mainland mobile number starting with 13 to 19",
        ),
        "members.input_invalid": Message(
            "输入有误",
            "The input is invalid",
        ),
        "members.id_number_length_old": Message(
            "身份证号应为18位；15位旧号码请换用18位新号码",
            "The ID number must have 18 characters; replace an old 15-digit number with its "
            "18-character form",
        ),
        "members.id_number_birth_date_invalid": Message(
            "身份证号中的出生日期 {digits} 不是有效日期",
            "The birth date {digits} in the ID number is not a real date",
        ),
        # importing
        "members.invalid_date": Message(
            "无法识别日期“{text}”，请使用2020-01-02或2020年1月2日等格式",
            "'{text}' is not a recognised date; use a form like 2020-01-02",
        ),
        "members.name_required": Message(
            "姓名不能为空",
            "The name is required",
        ),
        "members.id_number_required": Message(
            "身份证号不能为空",
            "The ID number is required",
        ),
        "members.admitted_on_required": Message(
            "入党时间不能为空",
            "The admission date is required",
        ),
        "members.organization_name_required": Message(
            "所在党支部不能为空",
            "The member's branch is required",
        ),
        "members.mobile_period_start_required": Message(
            "必须填写外出日期",
            "The departure date is required",
        ),
        "members.date_serial_out_of_range": Message(
            "日期数值超出范围",
            "The date number is outside the valid range",
        ),
        "members.not_a_date": Message(
            "不是日期",
            "Not a date",
        ),
        "members.date_incomplete": Message(
            "“{text}”缺少日，请填写到具体日期",
            "'{text}' has no day; give the full date",
        ),
        "members.id_number_not_text": Message(
            "身份证号被存成了数字，后几位可能已丢失，请将该列设为文本格式后重新填写",
            "The ID number was stored as a number and may have lost digits; format the column"
            " as text and enter it again",
        ),
        "members.invalid_gender": Message(
            "无法识别性别“{text}”，可填：{choices}",
            "'{text}' is not a known gender; use one of: {choices}",
        ),
        "members.invalid_education": Message(
            "无法识别学历“{text}”，可填：{choices}",
            "'{text}' is not a known education level; use one of: {choices}",
        ),
        "members.invalid_status": Message(
            "无法识别党员状态“{text}”，可填：{choices}",
            "'{text}' is not a known member status; use one of: {choices}",
        ),
        "members.invalid_member_class": Message(
            "无法识别人员类别“{text}”，可填：{choices}",
            "'{text}' is not a known member class; use one of: {choices}",
        ),
        "members.invalid_date_parts": Message(
            "{year}年{month}月{day}日不是有效日期",
            "{year}-{month}-{day} is not a real date",
        ),
        "members.import_headers_invalid": Message(
            "表头不符合导入模板，请核对列名",
            "The header row does not match the import template",
        ),
        "members.column_missing": Message(
            "缺少“{column}”列",
            "The column '{column}' ({field}) is missing",
        ),
        "members.column_duplicate": Message(
            "“{first}”和“{header}”两列内容相同，请只保留一列",
            "The columns '{first}' and '{header}' hold the same field; keep one",
        ),
        "members.duplicate_in_file": Message(
            "身份证号与第{rows}行重复",
            "The ID number also appears in row(s) {rows_en}",
        ),
        # placement
        "members.organization_kind": Message(
            "党员只能编入党支部或党小组，不能编入{kind_zh}",
            "Members belong to a branch or a party group, not a {kind}",
        ),
        "members.unknown_organization": Message(
            "找不到党组织“{name}”，或您无权查看",
            "No organization named '{name}' is visible to you",
        ),
        "members.organization_forbidden": Message(
            "您无权向“{name}”导入党员",
            "You may not import members into '{name}'",
        ),
        "members.ambiguous_organization": Message(
            "有多个名为“{name}”的党组织，请指定导入的目标党组织（organization_id）",
            "Several organizations are named '{name}'; choose the target organization",
        ),
        "members.import_forbidden": Message(
            "您无权向该党组织导入党员。",
            "You may not import into it.",
        ),
        "members.default_organization_ambiguous": Message(
            "有多个名为“{wanted}”的党组织，请用 ID 指定导入的目标党组织",
            "Several organizations are named '{wanted}'; give the target by its id",
        ),
        # probes
        "members.duplicate_elsewhere": Message(
            "该身份证号已在平台其他单位登记，同一身份证号只能登记一次；如党员从其他单位调入，"
            "请办理组织关系转接",
            "This ID number is already registered elsewhere on the platform; a member moving "
            "in arrives through a membership transfer (组织关系转接)",
        ),
        "members.identity_check_limited": Message(
            "今日与其他单位党员信息的身份证号重复已达 {limit} 次，今日暂停登记新的身份证号，"
            "请明日再试；如党员从其他单位调入，请办理组织关系转接",
            "Today's {limit} ID numbers found registered elsewhere are used up; registering "
            "new ID numbers pauses until tomorrow. A member moving in arrives through a "
            "membership transfer",
        ),
        # search
        "members.query_unrecognized": Message(
            "请输入姓名、拼音或首字母、完整的手机号或完整的身份证号",
            "Enter a name, its pinyin or initials, a full mobile number or a full ID number",
        ),
        "members.query_empty": Message(
            "请输入要查找的内容",
            "Enter something to search for",
        ),
        "members.invalid_query": Message(
            "无法识别查询内容",
            "The search query was not understood",
        ),
        # validation
        "members.reason_required": Message(
            "党员状态为“{new_label}”时必须填写原因",
            "A reason is required when the status is {new_value}",
        ),
        "members.birth_date_mismatch": Message(
            "出生日期与身份证号不一致（身份证号为{birth_date}）",
            "The birth date does not match the ID number ({birth_date})",
        ),
        "members.gender_mismatch": Message(
            "性别与身份证号不一致（身份证号为{gender_label}）",
            "The gender does not match the ID number ({gender_value})",
        ),
        "members.birth_date_in_future": Message(
            "出生日期不能晚于今天",
            "The birth date is in the future",
        ),
        "members.full_member_on_in_future": Message(
            "转正时间不能晚于今天",
            "The full-membership date is in the future",
        ),
        "members.full_member_on_required": Message(
            "正式党员必须填写转正时间",
            "A full member needs a full-membership date",
        ),
        "members.full_member_on_not_allowed": Message(
            "预备党员不应填写转正时间",
            "A probationary member cannot have a full-membership date",
        ),
        "members.organization_id_required": Message(
            "必须填写所在党组织",
            "The member's organization is required",
        ),
        "members.mobile_details_required": Message(
            "流动党员必须填写流入党组织、活动证编号和外出时间",
            "A mobile member needs the host organization, activity card number and period",
        ),
        "members.mobile_host_organization_name_required": Message(
            "必须填写流入党组织",
            "The host organization is required",
        ),
        "members.mobile_activity_card_number_required": Message(
            "必须填写流动党员活动证编号",
            "The activity card number is required",
        ),
        "members.mobile_period_end_before_start": Message(
            "外出结束时间不能早于开始时间",
            "The end of the period cannot be before its start",
        ),
        "members.record_invalid": Message(
            "党员信息有{count}处错误，请修改后重新提交",
            "The member record has {count} error(s); correct them and resubmit",
        ),
        "members.status_final": Message(
            "已除名（出党）的党员不能再变更状态",
            "A removed member's status cannot change any more",
        ),
        "members.status_transition": Message(
            "党员状态不能从“{current_label}”改为“{new_label}”",
            "The status cannot change from {current_value} to {new_value}",
        ),
        "members.name_too_long": Message(
            "姓名不能超过{limit}个字",
            "The name cannot exceed {limit} characters",
        ),
        "members.admitted_on_in_future": Message(
            "入党时间不能晚于今天",
            "The admission date is in the future",
        ),
        "members.full_member_on_before_admission": Message(
            "转正时间不能早于入党时间",
            "The full-membership date cannot be before the admission date",
        ),
        "members.mobile_not_applicable": Message(
            "只有流动党员才填写流动信息",
            "Mobile-member details apply only to mobile members",
        ),
        "members.tag_too_long": Message(
            "标签“{tag}”超过{limit}个字",
            "The tag '{tag}' exceeds {limit} characters",
        ),
        "members.status_transition_refused": Message(
            "不能这样变更党员状态",
            "This status change is not allowed",
        ),
        "members.admitted_on_before_adulthood": Message(
            "入党时间应在年满18周岁之后",
            "The admission date must be on or after the member's 18th birthday",
        ),
        # identities
        "members.duplicate_id_number_seen": Message(
            "该身份证号已登记为“{organization}”的党员（{name}），同一身份证号在平台内只能登记一次",
            "This ID number is already registered to a member of {organization}; an ID number "
            "can be registered only once on the platform",
        ),
        # import_files
        "members.import_file_type": Message(
            "仅支持 .xlsx 和 .csv 文件，请在 Excel 中另存为 .xlsx 后重新导入",
            "Only .xlsx and .csv files are accepted; save the sheet as .xlsx and try again",
        ),
        "members.import_file_unreadable": Message(
            "无法读取该文件：它不是 Excel (.xlsx) 表格，也不是 CSV 文本，请确认选对了文件",
            "The file cannot be read: it is neither an Excel (.xlsx) sheet nor CSV text; "
            "check that the right file was chosen",
        ),
        "members.import_file_empty": Message(
            "文件为空",
            "The file is empty",
        ),
        "members.import_encoding": Message(
            "无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV",
            "The file's encoding is not recognised; save the CSV as UTF-8 or GBK",
        ),
        # import_rows
        "members.duplicate_not_permitted": Message(
            "该身份证号已登记在“{organization}”，您无权修改该记录",
            "This ID number is already registered in '{organization}', which you may not change",
        ),
        "members.cross_tenant_move": Message(
            "该党员登记在“{organization}”，跨机关工委调整请办理组织关系转接",
            "The member is registered in '{organization}'; moving to another tenant is a "
            "membership transfer",
        ),
        # import_writes
        "members.import_conflict": Message(
            "导入期间有相同身份证号的党员被登记，请重新导入",
            "A member with one of these ID numbers was registered meanwhile; import again",
        ),
        # imports
        "members.import_input_missing": Message(
            "导入文件已丢失",
            "The file is gone",
        ),
        # listing
        "members.member_scope_required": Message(
            "您只能查看所辖党组织的党员，请指定党组织（organization_id）",
            "You may list members of your own organizations only; pass organization_id",
        ),
        # loading
        "members.organization_id_not_found": Message(
            "所选党组织不存在，或不在您的管理范围内",
            "The organization does not exist or is outside your scope",
        ),
        # registry
        "members.user_id_not_found": Message(
            "该账号不存在，或不属于党员所在的租户",
            "The account does not exist or belongs to another tenant than the member",
        ),
        "members.member_not_linked": Message(
            "您的账号尚未关联党员信息，请联系党支部或管理员",
            "Your account is not linked to a member record; ask your branch or administrator",
        ),
        "members.other_tenant": Message(
            "党员调往其他机关工委须办理组织关系转接，不能直接修改所在党组织",
            "Moving a member to another tenant goes through a membership transfer",
        ),
        "user_already_linked": Message(
            "该账号已关联其他党员",
            "The account is already linked to another member",
        ),
        "status_unchanged": Message(
            "党员状态已是“{label}”",
            "The member's status is already {value}",
        ),
        # sheets
        "members.import_too_many_rows": Message(
            "导入文件超出限制：超过 {rows} 行，请分成几个文件导入",
            "The import file is over a limit: more than {rows} rows; split it into several files",
        ),
        "members.import_xlsx_damaged": Message(
            "无法读取该 Excel 文件，请确认文件未损坏",
            "The Excel file cannot be read; check that it is not damaged",
        ),
        "members.import_unpacks_too_large": Message(
            "导入文件超出限制：解压后超过 {mib} MB 或压缩比异常",
            "The import file is over a limit: it unpacks to more than {mib} MB or is "
            "compressed abnormally far",
        ),
        "members.import_cell_too_long_in_row": Message(
            "导入文件超出限制：第 {row} 行有超过 {longest} 个字符的单元格",
            "The import file is over a limit: row {row} has a cell over {longest} characters",
        ),
        "members.import_too_many_columns": Message(
            "导入文件超出限制：第 {row} 行超过 {columns} 列",
            "The import file is over a limit: row {row} has more than {columns} columns",
        ),
        "members.import_cell_too_long": Message(
            "导入文件超出限制：有超过 {chars} 个字符的单元格",
            "The import file is over a limit: a cell is longer than {chars} characters",
        ),
        "members.import_csv_unreadable": Message(
            "无法读取该 CSV 文件",
            "The CSV file cannot be read",
        ),
    },
)
