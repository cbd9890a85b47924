"""Every sentence the tenancy context shows to people, by code (zh-CN and en).

Templates take `{name}` placeholders; the code that raises passes their values.
"""

from __future__ import annotations

from domain.shared.catalogue import Catalogue
from domain.shared.errors import Message

MESSAGES = Catalogue(
    "tenancy",
    {
        # tenants
        "tenant_invalid": Message(
            "租户的级别或区划代码不符合规则", "The tenant's level or code is invalid"
        ),
        "tenant_code_format": Message("区划代码应为6位数字", "The code must be 6 digits"),
        "tenant_code_not_six_digits": Message(
            "行政区划代码应为6位数字。", "The code must be a 6-digit division code."
        ),
        "tenant_code_unknown_province": Message(
            "区划代码前两位 {prefix} 不是省级行政区代码",
            "{prefix} is not a province-level division code",
        ),
        "tenant_code_level_mismatch_province": Message(
            "省级租户的区划代码应以0000结尾", "A province's code must end in 0000"
        ),
        "tenant_code_level_mismatch_city": Message(
            "市级租户的区划代码应以00结尾且不以0000结尾",
            "A city's code must end in 00 but not in 0000",
        ),
        "tenant_code_level_mismatch_county": Message(
            "县级租户的区划代码应不以00结尾", "A county's code must not end in 00"
        ),
        "tenant_code_not_a_city": Message(
            "{division} 是省直辖县级行政区划的汇总代码，不是地级单位",
            "{division} groups province-governed counties; it is not a city",
        ),
        "tenant_root_must_be_province": Message(
            "平台管理员只能创建省级租户", "A platform administrator creates province tenants only"
        ),
        "tenant_county_has_no_children": Message(
            "县级租户不能再设下级租户", "A county tenant has no child tenants"
        ),
        "tenant_child_level_invalid": Message(
            "{parent_code} 的下级租户应为{level_zh}", "A child of {parent_code} must be a {level}"
        ),
        "tenant_code_prefix_mismatch": Message(
            "下级区划代码应以 {prefix} 开头", "The child's code must start with {prefix}"
        ),
        "tenant_code_taken": Message(
            "区划代码 {division} 已被使用。", "The code {division} is already in use."
        ),
        "tenant_settings_invalid": Message("租户配置不符合规则", "The tenant settings are invalid"),
        "setting_unknown": Message("不支持的设置项", "Unknown setting"),
        "setting_must_be_boolean": Message("应为 true 或 false", "Must be true or false"),
        "setting_must_be_integer": Message("应为整数", "Must be an integer"),
        "setting_not_allowed_value": Message(
            "取值应为以下之一：{listed}", "Must be one of {expected}"
        ),
        "setting_too_small": Message("不得小于 {bound}", "Must be at least {bound}"),
        "setting_too_large": Message("不得大于 {bound}", "Must be at most {bound}"),
        "setting_must_be_object": Message("应为对象", "Must be an object"),
        "setting_invalid": Message("取值无效", "The value is not valid"),
        # organizations and committees
        "organization_invalid": Message(
            "党组织设置不符合规则", "The organization is not allowed here"
        ),
        "organization_parent_kind_invalid": Message(
            "{kind_zh}不能设在{where_zh}下，只能设在{allowed_zh}下",
            "A {kind} cannot be placed under {where}",
        ),
        "tenant_root": Message("租户根节点", "the tenant root"),
        "temporary_branch_needs_start": Message(
            "临时党支部须填写成立日期", "A temporary branch needs a start date"
        ),
        "temporary_branch_needs_end": Message(
            "临时党支部须填写撤销日期", "A temporary branch needs an end date"
        ),
        "organization_ends_before_start": Message(
            "撤销日期须晚于成立日期", "The end date must be after the start date"
        ),
        "organization_end_date_not_allowed": Message(
            "{kind_zh}不设撤销日期，只有临时党支部才有", "Only a temporary branch has an end date"
        ),
        "organization_move_into_own_subtree": Message(
            "不能把党组织移到它自己或它的下级组织之下",
            "An organization cannot be moved under itself or its descendants",
        ),
        "organization_needs_tenant": Message(
            "请在省、市、县租户内建立党组织。", "Organizations belong to a tenant."
        ),
        "organization_tenant_required": Message("请指定租户", "required"),
        "organization_move_across_tenants": Message(
            "党组织只能在本租户内移动。", "Organizations move within their tenant only."
        ),
        "organization_parent_other_tenant": Message("上级组织不在本租户", "other"),
        "organization_authority_committee_only": Message(
            "只有基层党委可以具有审批发展党员的权限，{kind_zh}不能",
            "Only a party committee may hold approval authority",
        ),
        "term_invalid": Message("任期不符合规则", "The term is invalid"),
        "term_ends_before_start": Message(
            "任期结束日期须晚于开始日期", "A term must end after it starts"
        ),
        "committee_post_invalid": Message(
            "党小组不设委员会职务", "A party group has no committee posts"
        ),
        "committee_post_not_allowed": Message("党小组不设{post_zh}", "A party group has no {post}"),
        # structure warnings
        "no_secretary": Message("{kind_zh}尚未配备书记", "The {kind} has no secretary"),
        "committee_too_large": Message(
            "委员会有{size}名委员，一般不超过{most}名",
            "The committee has {size} members; at most {most} is usual",
        ),
        "general_branch_should_be_committee": Message(
            "党总支有{count}名党员，达到{threshold}名应设立基层党委",
            "The general branch has {count} members; from {threshold} a party committee is due",
        ),
        "temporary_branch_expired": Message(
            "临时党支部已于{ends_on}到期，应及时撤销",
            "The temporary branch ended on {ends_on}; dissolve it",
        ),
        "branch_too_few_full_members": Message(
            "正式党员仅{count}名，不足{least}名，应与邻近单位成立联合党支部",
            "Only {count} full members; below {least} a joint branch is due",
        ),
        "branch_too_large": Message(
            "党支部有{count}名党员，一般不超过{most}名",
            "The branch has {count} members; at most {most} is usual",
        ),
        "branch_committee_missing": Message(
            "正式党员{count}名，应设立{least}至5人的支部委员会",
            "With {count} full members the branch needs a committee of {least} to 5",
        ),
        "branch_committee_posts_missing": Message(
            "支部委员会缺少{posts_zh}", "The committee lacks {posts}"
        ),
        "term_expired": Message(
            "任期已于{term_end}届满，应按期换届",
            "The term ended on {term_end}; an election is overdue",
        ),
        "term_ending_soon": Message(
            "任期将于{term_end}届满，请做好换届准备",
            "The term ends on {term_end}; prepare the election",
        ),
        # accounts and passwords
        "user_invalid": Message("用户信息有误。", "Invalid user."),
        "username_format": Message(
            "用户名须为3至40位字母、数字、点、横线或下划线，以字母开头。",
            "3-40 letters, digits, dot, dash or underscore, starting with a letter.",
        ),
        "phone_format": Message(
            "手机号应为11位中国大陆手机号码。", "Use an 11-digit mainland mobile number."
        ),
        "username_taken": Message(
            "用户名 {shown} 已被使用。", "The username {shown} is already in use."
        ),
        "phone_taken": Message("手机号 {shown} 已被使用。", "The phone {shown} is already in use."),
        "password_weak": Message("密码强度不足", "The password is too weak"),
        "password_too_short": Message(
            "密码至少{least}位", "A password has at least {least} characters"
        ),
        "password_too_long": Message(
            "密码不能超过{most}位", "A password has at most {most} characters"
        ),
        "password_too_simple": Message(
            "密码须包含大写字母、小写字母、数字、其他字符中的至少三类",
            "A password mixes at least three of: upper case, lower case, digits, other characters",
        ),
        "password_contains_username": Message(
            "密码不能包含用户名", "A password must not contain the username"
        ),
        "password_contains_phone": Message(
            "密码不能包含手机号", "A password must not contain the phone number"
        ),
        "password_common": Message(
            "该密码在常见密码列表中，请换一个",
            "This password is on the lists of common passwords; choose another",
        ),
        "password_guessable": Message(
            "密码容易被猜到：避免常见单词、拼音、键盘序列、日期和重复字符，可用几个不相关的词组合",
            "The password is easy to guess: avoid common words, pinyin, keyboard runs, dates and "
            "repeats; several unrelated words work well",
        ),
        "current_password_required": Message(
            "修改本人密码须提供当前密码。", "Changing your own password needs the current one."
        ),
        "current_password_missing": Message("请填写当前密码", "required"),
        "current_password_wrong": Message("当前密码不正确。", "The current password is wrong."),
        "current_password_wrong_field": Message("当前密码不正确", "wrong"),
        "account_unavailable": Message(
            "账号不可用，请重新登录。", "The account is not available; log in again."
        ),
        "user_unknown": Message("没有用户 {username}。", "There is no user {username}."),
        "last_tenant_admin": Message(
            "这是本租户最后一个有效的 {role}，不能停用或收回；请先为他人授予该角色。",
            "This is the tenant's last active {role}; grant the role to someone else first.",
        ),
        # login and sessions
        "invalid_credentials": Message("用户名或密码错误。", "Wrong username or password."),
        "account_locked": Message(
            "连续登录失败次数过多，请于 {until_local} 后再试。",
            "Too many failed logins; try again after {until}.",
        ),
        "refresh_session_ended": Message(
            "登录会话已结束，请重新登录。", "The session has ended; log in again."
        ),
        "refresh_token_reused": Message(
            "该刷新令牌已被使用过，为安全起见本次登录会话已全部注销，请重新登录。",
            "This refresh token was already used; the whole session was revoked.",
        ),
        "session_expired": Message(
            "会话已过期，请重新登录。", "The session has expired; log in again."
        ),
        "refresh_token_invalid": Message(
            "刷新令牌无效，请重新登录。", "The refresh token is invalid; log in again."
        ),
        "mfa_code_invalid": Message(
            "动态验证码或恢复码错误。", "The authentication code or recovery code is wrong."
        ),
        "mfa_challenge_invalid": Message(
            "二次验证已过期或无效，请重新用密码登录。",
            "The second-step challenge is invalid or expired; log in with your password again.",
        ),
        "mfa_required": Message(
            "此账号需要双因素认证，而本会话未经过它；请重新登录。",
            "This account needs a second factor and this session did not pass one; log in again.",
        ),
        "mfa_not_enrolled": Message(
            "尚未绑定动态验证码，请先调用 /auth/mfa/enroll。",
            "No authenticator is enrolled yet; call /auth/mfa/enroll first.",
        ),
        "mfa_already_enrolled": Message(
            "已绑定动态验证码；如设备丢失，请用恢复码登录或请运维人员重置。",
            "An authenticator is already enrolled; if it is lost, use a recovery code "
            "or ask an operator to reset it.",
        ),
        "mfa_locked": Message(
            "验证码错误次数过多，请稍后再试。", "Too many wrong codes; try again after {until}."
        ),
        # roles and grants
        "role_invalid": Message("自定义角色不符合规则", "The custom role is invalid"),
        "role_name_format": Message(
            "角色名须为{least}至{most}位小写字母、数字和下划线，以字母开头",
            "A role name is {least}-{most} lowercase letters, digits and underscores "
            "(snake_case), starting with a letter",
        ),
        "role_name_reserved": Message("{name} 是系统内置角色名", "{name} is a shipped role's name"),
        "role_permissions_empty": Message(
            "角色至少须包含一项权限", "A role needs at least one permission"
        ),
        "permission_unknown": Message(
            "权限 {permission} 不存在", "There is no permission {permission}"
        ),
        "role_name_taken": Message("角色名 {name} 已存在。", "The role {name} exists."),
        "role_in_use": Message(
            "该角色仍授予 {count} 个用户，请先撤销。",
            "The role is still assigned to {count} users; revoke them first.",
        ),
        "role_unknown": Message("角色 {role} 不存在。", "There is no role {role}."),
        "role_unknown_field": Message("未知角色", "unknown role"),
        "role_machine_only": Message(
            "{role} 是接口客户端专用角色，不能授予个人。",
            "{role} is for API clients and cannot be granted to people.",
        ),
        "role_machine_only_field": Message("仅限接口客户端", "machines"),
        "role_platform_only": Message(
            "平台管理员角色只能在平台范围授予。", "platform_admin is granted on the platform only."
        ),
        "role_platform_only_field": Message("仅限平台", "platform only"),
        "role_outside_user_tenant": Message(
            "只能在用户所属租户及其下级范围内授予角色。",
            "Roles are granted within the user's own tenant subtree.",
        ),
        "role_outside_user_tenant_field": Message("超出范围", "outside"),
        "permission_escalation": Message(
            "不能授予自己没有的权限：{missing}。",
            "You cannot grant permissions you do not hold: {missing}.",
        ),
        "permission_not_held": Message("无此权限", "not held"),
        "role_already_granted": Message(
            "该用户已拥有此角色。", "The user already holds this role."
        ),
        # the permission catalogue (权限目录)
        "permission:profile:read": Message(
            "查看本人账号、租户和角色", "View one's own account, tenant and roles"
        ),
        "permission:tenant:read": Message("查看租户", "View tenants"),
        "permission:tenant:create": Message("创建下级租户", "Create child tenants"),
        "permission:tenant:update": Message("修改租户信息", "Edit tenants"),
        "permission:tenant:configure": Message("修改租户配置", "Change tenant settings"),
        "permission:organization:read": Message("查看党组织", "View organizations"),
        "permission:organization:create": Message("设立党组织", "Create organizations"),
        "permission:organization:update": Message(
            "修改党组织信息和委员", "Edit organizations and committees"
        ),
        "permission:organization:delete": Message("撤销党组织", "Dissolve organizations"),
        "permission:organization:move": Message(
            "调整党组织隶属关系", "Move organizations in the tree"
        ),
        "permission:organization:authorize": Message(
            "设定基层党委审批发展党员的权限", "Grant party committees approval authority"
        ),
        "permission:user:read": Message("查看用户账号", "View user accounts"),
        "permission:user:create": Message("创建用户账号", "Create user accounts"),
        "permission:user:update": Message(
            "修改用户账号、重置密码", "Edit user accounts, reset passwords"
        ),
        "permission:user:disable": Message("停用用户账号", "Disable user accounts"),
        "permission:role:read": Message("查看角色", "View roles"),
        "permission:role:write": Message("创建和修改自定义角色", "Create and edit custom roles"),
        "permission:role_assignment:read": Message("查看角色授权", "View role assignments"),
        "permission:role_assignment:write": Message("授予和收回角色", "Grant and revoke roles"),
        "permission:audit_event:read": Message("查看审计日志", "View the audit log"),
        "permission:member:read": Message(
            "查看党员信息（敏感信息脱敏）", "View members (sensitive data masked)"
        ),
        "permission:member:write": Message("维护党员信息", "Edit members"),
        "permission:member:read_sensitive": Message(
            "查看身份证号、手机号等敏感信息", "View ID numbers and phones"
        ),
        "permission:member:import": Message("批量导入党员", "Import members"),
        "permission:member:export": Message("导出党员名册", "Export the member roll"),
        "permission:activity:read": Message("查看组织生活活动", "View activities"),
        "permission:activity:write": Message(
            "安排和记录组织生活活动", "Plan and record activities"
        ),
        "permission:checkin:read": Message("查看签到记录", "View check-ins"),
        "permission:checkin:create": Message("签到", "Check in"),
        "permission:checkin:sync": Message("同步离线签到", "Sync offline check-ins"),
        "permission:checkin:manage": Message(
            "代签和更正签到", "Record and correct others' check-ins"
        ),
        "permission:checkin:supervise": Message(
            "为下级租户的活动代签和更正签到",
            "Record and correct check-ins at subordinate tenants' activities",
        ),
        "permission:evidence:read": Message("查看佐证材料", "View evidence"),
        "permission:evidence:upload": Message("上传佐证材料", "Upload evidence"),
        "permission:evidence:delete": Message("删除佐证材料", "Delete evidence"),
        "permission:job:read": Message("查看后台任务进度", "View background job progress"),
        "permission:job:cancel": Message("取消后台任务", "Cancel background jobs"),
        "permission:job:retry": Message("重试失败的后台任务", "Retry failed background jobs"),
        "permission:point_rule:read": Message("查看积分规则", "View point rules"),
        "permission:point_rule:write": Message(
            "制定积分规则的新版本", "Write new versions of the point rules"
        ),
        "permission:points:read": Message(
            "查看党员积分明细和汇总", "View members' point ledgers and summaries"
        ),
        "permission:points:classify": Message(
            "设定党员的积分类别和排除情形", "Set members' point classes and conditions"
        ),
        "permission:points:recompute": Message(
            "核对并重算积分余额", "Recompute and check point balances"
        ),
        "permission:point_award:read": Message("查看积分奖扣", "View point awards"),
        "permission:point_award:propose": Message(
            "提出积分奖扣", "Propose point awards and deductions"
        ),
        "permission:point_award:decide": Message(
            "审批下级提出的积分奖扣", "Decide point awards proposed one level down"
        ),
        "permission:star_rating:read": Message(
            "查看星级评定（他人的只在本组织范围内）", "View star ratings within one's organizations"
        ),
        "permission:star_rating:run": Message("发起星级评定", "Run star ratings"),
        "permission:star_rating:decide": Message(
            "决定党员对星级的申诉", "Decide members' appeals against their stars"
        ),
        "permission:star_rating:score": Message(
            "为下级党支部的人工项评分", "Score the manual items of branches one level down"
        ),
        "permission:api_client:read": Message("查看接口客户端", "View API clients"),
        "permission:api_client:write": Message(
            "注册、轮换和吊销接口客户端", "Register, rotate and revoke API clients"
        ),
        "permission:applicant:read": Message(
            "查看入党申请人及其发展档案（身份证号脱敏）", "View applicants and their files (masked)"
        ),
        "permission:applicant:write": Message(
            "登记和修改入党申请人", "Register and edit applicants"
        ),
        "permission:applicant:read_sensitive": Message(
            "查看入党申请人的完整身份证号和手机号（记入审计）",
            "See applicants' 身份证号 and phone in full (audited)",
        ),
        "permission:applicant:record": Message(
            "登记党支部办理的发展步骤", "Record the branch's development steps"
        ),
        "permission:applicant:approve": Message(
            "以基层党委或组织部门身份预审、审批和备案发展党员",
            "Pre-review, approve and file admissions for the party committee",
        ),
        "permission:dues:read": Message(
            "查看党费标准、基数和缴费单", "View dues standards, bases and bills"
        ),
        "permission:dues:write": Message(
            "申报党费基数、提出减免、生成缴费单", "Declare dues bases, propose reliefs, make bills"
        ),
        "permission:dues:approve": Message(
            "审批下级党组织提出的党费减免", "Approve dues reliefs proposed below"
        ),
        "permission:dues:configure": Message(
            "设置党费交纳标准、记录补交例外", "Set dues standards and back-payment exceptions"
        ),
        "permission:transfer:read": Message(
            "查看组织关系转接及其介绍信", "View membership transfers and their letters"
        ),
        "permission:transfer:write": Message(
            "发起、提交和撤销组织关系转接", "Start, submit and cancel membership transfers"
        ),
        "permission:transfer:approve": Message(
            "在本级审批转出的组织关系", "Approve outgoing transfers at this level"
        ),
        "permission:transfer:receive": Message(
            "接收或退回转入的组织关系", "Accept or return incoming transfers"
        ),
        "permission:event:read": Message(
            "读取本范围的事件流", "Read the event feed of the subtree"
        ),
    },
)
