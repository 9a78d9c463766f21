"""The counting standards: their names, and the sentences their definitions are made of.

A definition is never written out whole: `marsad.verify.standards` builds it from these
sentences and the rules in force (how many independent sources, which name parts, how precise
a date and a place), in each language, so what a page, the CLI or a report says a standard
means is what the counts apply.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    "standard.reported": ("reported", "مُبلَّغ عنهم"),
    "standard.documented": ("documented", "موثَّقون"),
    "standard.corroborated": ("corroborated", "معزَّزون"),
    "standard.verified": ("verified", "متحقَّق منهم"),
    "standard.estimated": ("estimated", "تقدير"),
    "standard.title.reported": ("Reported", "المُبلَّغ عنهم"),
    "standard.title.documented": ("Documented", "الموثَّقون"),
    "standard.title.corroborated": ("Corroborated", "المعزَّزون"),
    "standard.title.verified": ("Verified", "المتحقَّق منهم"),
    "standard.title.estimated": ("Estimated total", "العدد الكلي المقدَّر"),
    "definition.reported": (
        "Persons named in at least one source; the records of one person, once linked, count once.",
        "الأشخاص المذكورون في مصدر واحد على الأقل؛ وتُعدّ سجلات الشخص الواحد مرة واحدة بعد ربطها.",
    ),
    "definition.documented": (
        "Persons with a full name ({names}), a date of death {date} and a place of death "
        "{place} (HRDAG's standard); a person lacking one is counted apart, by what they lack, "
        "never dropped.",
        "الأشخاص الذين لهم اسم كامل ({names}) وتاريخ وفاة {date} ومكان وفاة {place} (معيار "
        "مجموعة تحليل بيانات حقوق الإنسان)؛ ومن ينقصه أحدها يُعدّ على حدة بحسب ما ينقصه، ولا "
        "يُسقَط.",
    ),
    "definition.corroborated": (
        "Persons reported by at least {sources} (a source that copies another counts as the one "
        "it copies, and records from the same list count once), and every verified person.",
        "الأشخاص الذين أبلغ عنهم {sources} على الأقل (المصدر الذي ينسخ عن غيره يُعدّ المصدرَ "
        "الذي ينسخ عنه، وسجلات القائمة الواحدة تُعدّ مرة واحدة)، وكل شخص متحقَّق منه.",
    ),
    "definition.verified": (
        "Persons {conditions}{confirmation}; a reviewer may also set a person's status by hand, "
        "with a reason kept on record.",
        "الأشخاص {conditions}{confirmation}؛ ويجوز للمراجع أيضاً أن يحدّد حالة الشخص يدوياً، مع "
        "سبب يُحفظ في السجل.",
    ),
    "definition.verified.confirmation": (
        ", or confirmed by a reviewer with a note instead of corroborated",
        "، أو من أكّده مراجع بملاحظة بدلاً من التعزيز",
    ),
    "definition.estimated": (
        "The total including persons no list recorded, by multiple systems estimation, with its "
        "interval.",
        "العدد الكلي بمن فيهم من لم تسجّله أي قائمة، بطريقة تقدير الأنظمة المتعددة، مع فترته.",
    ),
    "definition.identified": ("identified ({names})", "المعرَّفون ({names})"),
    "definition.dated": ("dated {date}", "المؤرَّخة وفاتهم {date}"),
    "definition.placed": ("placed {place}", "المحدَّد مكان وفاتهم {place}"),
    "definition.corroborated_by": (
        "corroborated by at least {sources}",
        "الذين أبلغ عنهم {sources} على الأقل",
    ),
    "definition.date": ("to the {precision}", "محدَّداً ب{precision}"),
    "definition.place": ("at {level} level or finer", "على مستوى {level} أو أدقّ"),
}
