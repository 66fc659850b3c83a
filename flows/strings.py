"""The engine's own words (buttons, default titles, spoken prompts), in every supported language.

Service-specific text lives in each flow definition; these are the words every service shares.
`say(key, locale, **values)` picks the language (zh-CN when a language lacks the key).
"""

from __future__ import annotations

LOCALES = ("zh-CN", "en")

STRINGS: dict[str, dict[str, str]] = {
    # actions
    "next": {"zh-CN": "下一步", "en": "Next"},
    "back": {"zh-CN": "返回", "en": "Back"},
    "confirm": {"zh-CN": "确认无误", "en": "Confirm"},
    "submit": {"zh-CN": "提交申请", "en": "Submit"},
    "retry": {"zh-CN": "重试", "en": "Try again"},
    "print": {"zh-CN": "打印", "en": "Print"},
    "skip": {"zh-CN": "跳过", "en": "Skip"},
    "finish": {"zh-CN": "完成", "en": "Finish"},
    "cancel": {"zh-CN": "退出办理", "en": "Leave"},
    "guide": {"zh-CN": "办事指南", "en": "Service guide"},
    "report": {"zh-CN": "办不成事反映", "en": "Report a problem"},
    "capture": {"zh-CN": "拍摄材料", "en": "Photograph it"},
    "identified": {"zh-CN": "已识别", "en": "Identified"},
    "prev_page": {"zh-CN": "上一页", "en": "Previous page"},
    "next_page": {"zh-CN": "下一页", "en": "Next page"},
    "print_summary": {"zh-CN": "打印查询结果", "en": "Print a summary"},
    "print_receipt": {"zh-CN": "打印回执", "en": "Print the receipt"},
    "print_guide": {"zh-CN": "打印办事指南", "en": "Print the guide"},
    "resume": {"zh-CN": "继续办理", "en": "Continue"},
    "send": {"zh-CN": "提交", "en": "Send"},
    "rate_submit": {"zh-CN": "提交评价", "en": "Send rating"},
    # default titles
    "title.identify": {"zh-CN": "请验证身份", "en": "Please identify yourself"},
    "title.check": {"zh-CN": "请核对信息", "en": "Check your answers"},
    "title.capture": {"zh-CN": "拍摄材料：{name}", "en": "Photograph: {name}"},
    "title.licence": {"zh-CN": "使用电子证照", "en": "Use your electronic licences"},
    "title.submit": {"zh-CN": "提交申请", "en": "Submit the application"},
    "title.result": {"zh-CN": "办理结果", "en": "Outcome"},
    "title.print_certificate": {"zh-CN": "打印证明", "en": "Print the certificate"},
    "title.print_receipt": {"zh-CN": "打印回执", "en": "Print the receipt"},
    "title.guide": {"zh-CN": "办事指南", "en": "Service guide"},
    "title.rate": {"zh-CN": "请对本次服务进行评价", "en": "Please rate this service"},
    "title.report": {"zh-CN": "办不成事反映", "en": "Report a problem"},
    "title.report_sent": {"zh-CN": "反映已收到", "en": "Report received"},
    "title.unavailable": {"zh-CN": "该服务暂不可用", "en": "Service unavailable"},
    "title.done": {"zh-CN": "感谢使用", "en": "Thank you"},
    "title.choose": {"zh-CN": "请选择", "en": "Please choose"},
    "title.message": {"zh-CN": "提示", "en": "Notice"},
    "title.licence_copy": {"zh-CN": "电子证照打印", "en": "Print an electronic licence"},
    "licence_copy.none": {"zh-CN": "您名下暂无该类电子证照。如有疑问，请咨询发证部门。",
                          "en": "You hold no licence of this kind. The issuing department can "
                                "help."},
    "licence_copy.choose": {"zh-CN": "请选择要打印的电子证照", "en": "Choose the licence to print"},
    "licence_copy.preview": {"zh-CN": "《{value}》预览如下。请选择用途后打印，打印件加注“此件仅供"
                                      "办理政务服务事项时使用”。",
                             "en": "Preview of {value}. Choose what it is for, then print; the "
                                   "copy is marked for government services only."},
    "licence_copy.held": {"zh-CN": "{issuer} · 有效期至 {valid_to}",
                          "en": "{issuer} · valid until {valid_to}"},
    "choose_other": {"zh-CN": "换一个证照", "en": "Another licence"},
    "speech.licence_copy": {"zh-CN": "请选择用途，然后点击打印",
                            "en": "Choose what it is for, then tap print"},
    # spoken prompts
    "speech.identify": {"zh-CN": "请将身份证放在感应区，或出示社保卡、随申码",
                        "en": "Place your ID card on the reader, or show your card or QR code"},
    "speech.choose": {"zh-CN": "请选择", "en": "Please choose"},
    "speech.form": {"zh-CN": "请输入{label}", "en": "Please enter {label}"},
    "speech.check": {"zh-CN": "请核对您的信息", "en": "Please check your answers"},
    "speech.capture": {"zh-CN": "请将{name}放在拍摄区", "en": "Place the {name} under the camera"},
    "speech.licence": {"zh-CN": "以下材料可使用电子证照，无需提交纸质材料",
                       "en": "These electronic licences replace paper copies"},
    "speech.submit": {"zh-CN": "请确认提交", "en": "Please confirm to submit"},
    "speech.records": {"zh-CN": "查询结果如下", "en": "Here are your records"},
    "speech.print_certificate": {"zh-CN": "请点击打印", "en": "Tap print"},
    "speech.print_receipt": {"zh-CN": "请点击打印回执", "en": "Tap print for the receipt"},
    "speech.printed": {"zh-CN": "打印完成，请取走", "en": "Printed; please take it"},
    "speech.print_failed": {"zh-CN": "打印没有成功", "en": "Printing failed"},
    "speech.print_refused": {"zh-CN": "无法自助开具，请按提示办理",
                             "en": "It cannot be issued here; see the message"},
    "speech.guide": {"zh-CN": "这是办事指南", "en": "This is the service guide"},
    "speech.rate": {"zh-CN": "请对本次服务进行评价", "en": "Please rate this service"},
    "speech.report": {"zh-CN": "请告诉我们遇到了什么问题", "en": "Tell us what went wrong"},
    "speech.done": {"zh-CN": "感谢使用，请带好随身物品", "en": "Thank you; take your belongings"},
    "speech.message": {"zh-CN": "请查看提示", "en": "Please read the notice"},
    "speech.unavailable": {"zh-CN": "该服务暂不可用", "en": "This service is unavailable"},
    # result texts
    "result.accepted": {"zh-CN": "您的申请已受理", "en": "Your application has been accepted"},
    "result.approved": {"zh-CN": "已自动办结", "en": "Approved automatically"},
    "result.refused": {"zh-CN": "暂不能受理", "en": "The application cannot be accepted"},
    "result.queued": {"zh-CN": "申请已保存，网络恢复后自动提交",
                      "en": "Saved; it will be sent when the network is back"},
    "receipt.queued": {"zh-CN": "本申请已保存在本机，网络恢复后将自动提交，办件编号为本机临时编号",
                       "en": "Saved on this terminal; it will be sent automatically when the "
                             "network is back (the case number is a temporary local one)"},
    "result.ticket": {"zh-CN": "取号成功", "en": "Your ticket"},
    "result.case_number": {"zh-CN": "办件编号：{value}", "en": "Case number: {value}"},
    "result.time_limit": {"zh-CN": "承诺办结时限：{value}个工作日",
                          "en": "Decision within {value} working days"},
    "result.reason": {"zh-CN": "原因：{value}", "en": "Reason: {value}"},
    "result.next_step": {"zh-CN": "下一步：{value}", "en": "Next step: {value}"},
    "result.window": {"zh-CN": "请到{window}办理，前面还有{waiting}人",
                      "en": "Go to {window}; {waiting} people ahead of you"},
    "result.ticket_number": {"zh-CN": "票号：{value}", "en": "Ticket: {value}"},
    # misc texts
    "prefilled": {"zh-CN": "已根据政府部门数据自动填写，请核对",
                  "en": "Filled in from government data"},
    "exempt": {"zh-CN": "电子证照，免于提交", "en": "Electronic licence: no paper needed"},
    "no_licence": {"zh-CN": "没有可用的电子证照，稍后请拍摄纸质材料",
                   "en": "No electronic licence found; you will photograph the paper"},
    "captured": {"zh-CN": "已拍摄", "en": "Captured"},
    "records.empty": {"zh-CN": "没有查询到记录", "en": "No records found"},
    "records.total": {"zh-CN": "共{value}条", "en": "{value} records"},
    "print.ready": {"zh-CN": "将打印《{value}》", "en": "Ready to print: {value}"},
    "print.done": {"zh-CN": "打印完成，请取走", "en": "Printed; please take it"},
    "print.refused": {"zh-CN": "《{value}》无法在自助终端开具",
                      "en": "{value} cannot be issued at a terminal"},
    "print.serial": {"zh-CN": "证明编号：{value}", "en": "Serial: {value}"},
    "report.sent": {"zh-CN": "我们将在{value}个工作日内答复您",
                    "en": "We will reply within {value} working days"},
    "report.reference": {"zh-CN": "反映编号：{value}", "en": "Reference: {value}"},
    "rate.score.5": {"zh-CN": "非常满意", "en": "Very satisfied"},
    "rate.score.4": {"zh-CN": "满意", "en": "Satisfied"},
    "rate.score.3": {"zh-CN": "基本满意", "en": "Fairly satisfied"},
    "rate.score.2": {"zh-CN": "不满意", "en": "Dissatisfied"},
    "rate.score.1": {"zh-CN": "非常不满意", "en": "Very dissatisfied"},
    "rate.reasons": {"zh-CN": "不满意的原因（至少选一项）", "en": "Why (choose at least one)"},
    "rate.thanks": {"zh-CN": "感谢您的评价", "en": "Thank you for your rating"},
    # default rating reasons and problem categories
    "reason.slow": {"zh-CN": "办理时间长", "en": "Took too long"},
    "reason.hard": {"zh-CN": "操作不方便", "en": "Hard to use"},
    "reason.device": {"zh-CN": "设备故障", "en": "The machine failed"},
    "reason.unclear": {"zh-CN": "指引不清楚", "en": "Unclear instructions"},
    "reason.failed": {"zh-CN": "没有办成", "en": "Could not get it done"},
    "category.device": {"zh-CN": "设备出现故障", "en": "The machine failed"},
    "category.data": {"zh-CN": "查询的信息有误", "en": "My data is wrong"},
    "category.refused": {"zh-CN": "不符合条件但有特殊情况",
                         "en": "Refused, but my case is special"},
    "category.hard": {"zh-CN": "不会操作", "en": "I don't know how to do it"},
    "category.other": {"zh-CN": "其他问题", "en": "Something else"},
    "report.description": {"zh-CN": "问题描述（可选）", "en": "Describe the problem (optional)"},
    # errors
    "error.required": {"zh-CN": "请填写{label}", "en": "Please fill in {label}"},
    "error.too_long": {"zh-CN": "{label}最多{value}个字",
                       "en": "{label}: at most {value} characters"},
    "error.id_number": {"zh-CN": "身份证号码格式不对，请检查", "en": "That ID number is not valid"},
    "error.phone": {"zh-CN": "手机号码格式不对，请检查", "en": "That mobile number is not valid"},
    "error.date": {"zh-CN": "日期格式不对，例如 2024-05-01", "en": "Enter a date like 2024-05-01"},
    "error.digits": {"zh-CN": "只能填写数字", "en": "Digits only"},
    "error.choice": {"zh-CN": "请从选项中选择", "en": "Please choose one of the options"},
    "error.not_identified": {"zh-CN": "还没有识别到您的身份", "en": "You are not identified yet"},
    "error.need_reason": {"zh-CN": "请至少选择一项不满意的原因",
                          "en": "Please choose at least one reason"},
    "error.bad_score": {"zh-CN": "请选择一个评价等级", "en": "Please choose a rating"},
    "error.choose": {"zh-CN": "请选择一项", "en": "Please choose one"},
    "error.capture_needed": {"zh-CN": "请先拍摄材料", "en": "Please photograph the material first"},
    "error.scan_unknown": {"zh-CN": "无法识别该证照码，或该证照不属于您本人",
                           "en": "That licence code is not recognised or is not yours"},
    "error.scan_here": {"zh-CN": "这一步不需要扫码", "en": "No code is needed here"},
    # the kiosk's ports name the device (kiosk.core.device_labels); this stands in when they do not
    "error.device": {"zh-CN": "所需设备暂不可用", "en": "A device needed here is not available"},
    "error.rule": {"zh-CN": "填写的内容不符合要求", "en": "That answer is not accepted"},
    "error.print_first": {"zh-CN": "请先打印", "en": "Please print first"},
    "error.no_outcome": {"zh-CN": "还没有办理结果", "en": "There is no outcome yet"},
    # columns of built-in record sources
    "col.licence.title": {"zh-CN": "证照名称", "en": "Licence"},
    "col.licence.issuer": {"zh-CN": "发证机关", "en": "Issued by"},
    "col.licence.valid_to": {"zh-CN": "有效期至", "en": "Valid until"},
    "col.benefit.title": {"zh-CN": "待遇名称", "en": "Benefit"},
    "col.benefit.amount": {"zh-CN": "金额", "en": "Amount"},
    "col.benefit.reason": {"zh-CN": "享受依据", "en": "Because"},
    "col.case.time": {"zh-CN": "时间", "en": "Time"},
    "col.case.step": {"zh-CN": "环节", "en": "Stage"},
    "col.case.note": {"zh-CN": "说明", "en": "Note"},
    "records.licences": {"zh-CN": "我的电子证照", "en": "My electronic licences"},
    "records.benefits": {"zh-CN": "免申即享", "en": "Benefits without applying"},
    "col.certificate.title": {"zh-CN": "证明名称", "en": "Certificate"},
    "col.certificate.issue_date": {"zh-CN": "开具日期", "en": "Issued on"},
    "col.certificate.serial": {"zh-CN": "证明编号", "en": "Serial"},
    "records.certificates": {"zh-CN": "近30天开具的证明", "en": "Certificates of the last 30 days"},
    "report.context": {"zh-CN": "（终端提示：{value}）", "en": " (terminal said: {value})"},
    # guide section titles
    "guide.conditions": {"zh-CN": "办理条件", "en": "Who can apply"},
    "guide.materials": {"zh-CN": "申请材料", "en": "Materials"},
    "guide.time_limit": {"zh-CN": "办理时限", "en": "Time limit"},
    "guide.fees": {"zh-CN": "收费标准", "en": "Fees"},
    "guide.location": {"zh-CN": "办理地点", "en": "Where to go"},
    "guide.basis": {"zh-CN": "设定依据", "en": "Legal basis"},
    "guide.contact": {"zh-CN": "咨询电话", "en": "Contact"},
}

RATING_REASON_KEYS = ("reason.slow", "reason.hard", "reason.device", "reason.unclear",
                      "reason.failed")
REPORT_CATEGORY_KEYS = ("category.device", "category.data", "category.refused", "category.hard",
                        "category.other")
GUIDE_KEYS = ("conditions", "materials", "time_limit", "fees", "location", "basis", "contact")


#: Labels of the summary figures platforms send with a records page (key -> words).
SUMMARY_LABELS: dict[str, dict[str, str]] = {
    "months": {"zh-CN": "累计缴费月数", "en": "Months paid"},
    "personal_total": {"zh-CN": "个人累计缴纳", "en": "Paid by you"},
    "employer_total": {"zh-CN": "单位累计缴纳", "en": "Paid by employers"},
    "status": {"zh-CN": "参保状态", "en": "Status"},
    "case_status": {"zh-CN": "办理状态", "en": "Case status"},
    "insurance": {"zh-CN": "险种", "en": "Insurance"},
    "balance": {"zh-CN": "账户余额", "en": "Balance"},
    "account_status": {"zh-CN": "账户状态", "en": "Account status"},
    "monthly_total": {"zh-CN": "月缴存额", "en": "Monthly deposit"},
    "keeper": {"zh-CN": "档案存放单位", "en": "Kept by"},
    "phone": {"zh-CN": "咨询电话", "en": "Telephone"},
}


def summary_text(summary: dict[str, object], locale: str) -> str:
    """A records summary as one line of labelled figures; unlabelled machine keys are left out
    (labels given by the platform itself, e.g. 累计缴费月数, are shown as they are)."""
    parts = []
    for key, value in summary.items():
        label = SUMMARY_LABELS.get(key)
        if label is not None:
            parts.append(f"{label.get(locale) or label['zh-CN']}：{value}")
        elif not key.isascii() and not any(
                SUMMARY_LABELS.get(k, {}).get("zh-CN") == key for k in summary):
            parts.append(f"{key}：{value}")
    return "；".join(parts)


def say(key: str, locale: str, **values: object) -> str:
    """The text for ``key`` in ``locale`` with ``{name}`` placeholders filled."""
    entry = STRINGS[key]
    text = entry.get(locale) or entry["zh-CN"]
    return text.format(**values) if values else text
