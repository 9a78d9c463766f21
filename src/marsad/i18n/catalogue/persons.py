"""The dashboard, the search and the person pages; the split-lists warnings of an estimate."""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    "nav.search": ("Search", "البحث"),
    "dashboard.killed_note": ("Persons killed, by counting standard.", "القتلى، بحسب معيار العدّ."),
    "dashboard.interval": (
        "{level} interval: {low} to {high}",
        "فترة {level}: من {low} إلى {high}",
    ),
    "dashboard.estimate_method": (
        "Method: {method}; estimation run {run}.",
        "الطريقة: {method}؛ عملية التقدير {run}.",
    ),
    "dashboard.no_estimate": (
        "No estimate has been made yet (marsad estimate).",
        "لم يُجرَ أي تقدير بعد (marsad estimate).",
    ),
    "dashboard.estimate_linkage": (
        "Pooled over {draws} clusterings drawn from the link probabilities: linkage accounts for "
        "{share} of the interval's width.",
        "جُمع التقدير من {draws} تجميعاً سُحبت من احتمالات الربط: يعود إلى الربط {share} من عرض "
        "الفترة.",
    ),
    "dashboard.estimate_warnings": ("Warnings on this estimate", "تنبيهات على هذا التقدير"),
    "warning.split_singletons": (
        "The lists look split: {share} of persons are on one list only, where the linkage model's "
        "own match probabilities imply {expected}. Missed links between lists inflate the "
        "estimate; review the pairs waiting for review before publishing it.",
        "تبدو القوائم مجزّأة: {share} من الأشخاص في قائمة واحدة فقط، بينما تقتضي احتمالات التطابق "
        "في نموذج الربط نفسه {expected}. الروابط الفائتة بين القوائم تضخّم التقدير؛ راجِع الأزواج "
        "المنتظِرة للمراجعة قبل نشره.",
    ),
    "warning.split_review_band": (
        "The lists may be split: {persons} persons ({share}) have a record in a pair still "
        "waiting for review. Every pair decided can move the estimate; review them before "
        "publishing it.",
        "قد تكون القوائم مجزّأة: لدى {persons} شخصاً ({share}) سجلٌّ في زوج ما زال ينتظر "
        "المراجعة. كل زوج يُبتّ فيه قد يحرّك التقدير؛ راجِعها قبل نشره.",
    ),
    "warning.split_calibration": (
        "The linkage model looks miscalibrated: reviewers accepted {accepted} of {pairs} pairs in "
        "the review band, where the model's match probabilities predict {predicted}. The interval "
        "rests on those probabilities; link again so the model learns from the reviewers' "
        "decisions.",
        "يبدو نموذج الربط غير معايَر: قبِل المراجعون {accepted} من {pairs} زوجاً في نطاق "
        "المراجعة، بينما تتوقع احتمالات التطابق في النموذج {predicted}. تستند الفترة إلى تلك "
        "الاحتمالات؛ أعِد الربط ليتعلّم النموذج من قرارات المراجعين.",
    ),
    "dashboard.not_documented": (
        "Not documented, counted apart, by what they lack",
        "غير الموثَّقين، يُعدّون على حدة، بحسب ما ينقصهم",
    ),
    "dashboard.lacking": ("{n} lack {what}", "{n} ينقصهم {what}"),
    "dashboard.weeks": ("Deaths per week by governorate", "الوفيات في الأسبوع بحسب المحافظة"),
    "dashboard.weeks_title": (
        "Persons killed per week, by governorate",
        "القتلى في كل أسبوع، بحسب المحافظة",
    ),
    "dashboard.undated": (
        "{n} persons without a full date of death are not in the chart.",
        "{n} شخصاً بلا تاريخ وفاة كامل غير ظاهرين في الرسم.",
    ),
    "dashboard.no_weeks": (
        "No person has a full date of death yet.",
        "لا أحد له تاريخ وفاة كامل بعد.",
    ),
    "dashboard.unknown_governorate": ("Governorate unknown", "محافظة غير معروفة"),
    "dashboard.overlaps": ("Sources and their overlaps", "المصادر وتداخلها"),
    "dashboard.overlaps_title": (
        "Persons killed by combination of independent lists",
        "القتلى بحسب تركيبة القوائم المستقلة",
    ),
    "dashboard.no_overlaps": (
        "No linked persons yet (marsad link).",
        "لا أشخاص مربوطين بعد (marsad link).",
    ),
    "dashboard.list": ("Independent list", "قائمة مستقلة"),
    "dashboard.list_persons": ("Persons", "الأشخاص"),
    "dashboard.list_only": ("On this list only", "في هذه القائمة وحدها"),
    "search.title": ("Search persons", "البحث عن الأشخاص"),
    "search.name": ("Name (Arabic or Latin script)", "الاسم (بالحروف العربية أو اللاتينية)"),
    "search.governorate": ("Governorate", "المحافظة"),
    "search.any_governorate": ("Any governorate", "كل المحافظات"),
    "search.place": ("Place", "المكان"),
    "search.date_from": ("Died from", "تاريخ الوفاة من"),
    "search.date_to": ("Died until", "تاريخ الوفاة حتى"),
    "search.submit": ("Search", "ابحث"),
    "search.bad_date": ("Dates are written YYYY-MM-DD.", "تُكتب التواريخ بالشكل YYYY-MM-DD."),
    "search.found": ("{n} persons found.", "عُثر على {n} شخصاً."),
    "search.none": ("No person matches.", "لا أحد يطابق البحث."),
    "search.hint": (
        "Names match across scripts and spellings: Mouhammad finds محمد.",
        "تتطابق الأسماء عبر الحروف والتهجئات: Mouhammad يجد محمد.",
    ),
    "search.person": ("Person", "الشخص"),
    "search.unlinked": ("record not yet linked", "سجل لم يُربط بعد"),
    "search.names": ("Names", "الأسماء"),
    "search.sources": ("Sources", "المصادر"),
    "search.dates": ("Date of death", "تاريخ الوفاة"),
    "search.places": ("Place", "المكان"),
    "search.verification": ("Verification", "التحقق"),
    "verification.reported": ("reported", "مُبلَّغ عنه"),
    "verification.corroborated": ("corroborated", "معزَّز"),
    "verification.verified": ("verified", "متحقَّق منه"),
    "verification.confirmed": ("confirmed by a reviewer", "مؤكَّد من مراجع"),
    "person.title": ("Person {id}", "الشخص {id}"),
    "person.status": ("Verification", "التحقق"),
    "person.not_verified": (
        "This person has not been verified yet (marsad verify).",
        "لم يُتحقَّق من هذا الشخص بعد (marsad verify).",
    ),
    "person.rule": ("Rule", "القاعدة"),
    "person.reasons": ("Reasons", "الأسباب"),
    "person.evidence": ("Records the status rests on", "السجلات التي تستند إليها الحالة"),
    "person.documented": ("Documented (HRDAG)", "موثَّق (معيار HRDAG)"),
    "person.yes": ("yes", "نعم"),
    "person.no": ("no", "لا"),
    "person.lacking": ("Lacks: {what}", "ينقصه: {what}"),
    "person.resolved": ("Resolved values", "القيم المعتمدة"),
    "person.records": ("Records", "السجلات"),
    "person.evidence_mark": ("evidence", "دليل"),
    "person.conflicts": ("Conflicts between records", "التعارض بين السجلات"),
    "person.no_conflicts": ("The records do not disagree.", "لا تتعارض السجلات."),
    "person.field": ("Field", "الحقل"),
    "person.value": ("Value", "القيمة"),
    "person.resolved_value": ("Resolved", "المعتمدة"),
    "person.values": ("Values (records; sources)", "القيم (السجلات؛ المصادر)"),
    "person.choose": ("Choose this value", "اعتمد هذه القيمة"),
    "person.links": ("Why these records are one person", "لماذا هذه السجلات لشخص واحد"),
    "person.no_links": ("A single record: no link decision.", "سجل واحد: لا قرار ربط."),
    "person.pair": ("Records", "السجلان"),
    "person.kind": ("Decided by", "صاحب القرار"),
    "person.decision": ("Decision", "القرار"),
    "person.probability": ("Match probability", "احتمال التطابق"),
    "person.explanation": ("Comparison weights", "أوزان المقارنات"),
    "person.prior": ("prior {w}", "الأولي {w}"),
    "person.total": ("total {w} bits", "المجموع {w} بت"),
    "person.decisions": ("Reviewers' status decisions", "قرارات المراجعين في الحالة"),
    "person.no_decisions": (
        "No reviewer has decided this person's status.",
        "لم يقرّر أي مراجع حالة هذا الشخص.",
    ),
    "person.decided": ("{status} by {by} on {date}", "{status} من {by} في {date}"),
    "person.revoked": ("revoked by {by} on {date}", "أُلغي من {by} في {date}"),
    "person.revoke": ("Revoke", "إلغاء"),
    "person.decide": ("Decide the status", "قرّر الحالة"),
    "person.decide_status": ("Status", "الحالة"),
    "person.reason": ("Reason (required, kept on record)", "السبب (مطلوب، يُحفظ في السجل)"),
    "person.submit": ("Record the decision", "سجّل القرار"),
    "person.done.status": ("Status decision recorded.", "سُجّل قرار الحالة."),
    "person.done.revoke": ("Status decision revoked.", "أُلغي قرار الحالة."),
    "person.done.choose": ("Value chosen.", "اعتُمدت القيمة."),
    "person.refused": ("Not recorded: {error}", "لم يُسجَّل: {error}"),
    "person.f.status": ("status", "الوضع"),
    "person.f.sex": ("sex", "الجنس"),
    "person.f.age": ("age", "العمر"),
    "person.f.date_of_death": ("date of death", "تاريخ الوفاة"),
    "person.f.place": ("place", "المكان"),
    "person.f.civilian": ("civilian", "مدني"),
    "person.f.cause": ("cause", "السبب"),
    "person.f.governorate": ("governorate", "المحافظة"),
    "person.f.source": ("source", "المصدر"),
    "person.f.record_id": ("record id", "رقم السجل"),
    "person.f.name": ("name", "الاسم"),
    "person.f.district": ("district", "المنطقة"),
    "person.f.locality": ("locality", "البلدة"),
    "person.f.pcode": ("p-code", "الرمز المكاني"),
    "lacking.full name": ("a full name", "الاسم الكامل"),
    "lacking.date of death": ("a date of death", "تاريخ الوفاة"),
    "lacking.place of death": ("a place of death", "مكان الوفاة"),
}
