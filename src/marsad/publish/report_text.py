"""The report's fixed wording in English and Arabic, keyed by message id.

One table, so a translator sees every sentence side by side and a missing translation is a
`KeyError` in the tests rather than an English phrase left in an Arabic page. Placeholders are
`str.format` fields; callers pass numbers already formatted for the language (`marsad.i18n`).
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Page frame
    "contents": ("Contents", "المحتويات"),
    "data_cutoff": ("Data cut-off", "تاريخ إغلاق البيانات"),
    "generated": ("Generated", "تاريخ الإعداد"),
    "not_recorded": ("not recorded", "غير مسجَّل"),
    "release": ("Release", "الإصدار"),
    "database": ("Database", "قاعدة البيانات"),
    "version": ("Marsad version", "إصدار مرصد"),
    "footer": (
        "This report shows counts only; it contains no names or other personal details.",
        "يعرض هذا التقرير أعداداً فقط، ولا يتضمن أسماء أو أي تفاصيل شخصية أخرى.",
    ),
    # Sections
    "section.sources": ("Sources", "المصادر"),
    "section.persons": ("Persons documented", "الأشخاص الموثَّقون"),
    "section.time": ("Over time", "عبر الزمن"),
    "section.incidents": ("Incidents without names", "حوادث بلا أسماء"),
    "section.overlap": ("Overlap of lists", "تداخل القوائم"),
    "section.estimate": ("Estimate of the total", "تقدير العدد الكلي"),
    "section.methodology": ("Methodology", "المنهجية"),
    "toc.persons": ("Persons", "الأشخاص"),
    "toc.estimate": ("Estimate", "التقدير"),
    # Headline
    "headline": ("Headline figures", "الأرقام الرئيسية"),
    "headline.counted": (
        "Each figure uses one counting standard, defined below it. They are not added together.",
        "يستند كل رقم إلى معيار عدّ واحد معرَّف تحته، ولا تُجمع هذه الأرقام معاً.",
    ),
    "headline.records": (
        "{records} records from {sources} sources ({independent} independent); {quarantined} "
        "rows could not be read and are kept in quarantine.",
        "{records} سجلاً من {sources} مصادر ({independent} منها مستقلة)؛ وتعذّرت قراءة "
        "{quarantined} صفاً فحُفظت في الحجر.",
    ),
    "standard.reported": ("reported", "مُبلَّغ عنهم"),
    "standard.documented": ("documented", "موثَّقون"),
    "standard.corroborated": ("corroborated", "مؤكَّدون"),
    "standard.verified": ("verified", "متحقَّق منهم"),
    "standard.estimated": ("estimated", "تقدير"),
    "report.title": (
        "Civilian casualties: documented and estimated",
        "الضحايا المدنيون: الموثَّقون والمقدَّرون",
    ),
    "standard.title.reported": ("Reported", "المُبلَّغ عنهم"),
    "standard.title.documented": ("Documented", "الموثَّقون"),
    "standard.title.corroborated": ("Corroborated", "المؤكَّدون"),
    "standard.title.verified": ("Verified", "المتحقَّق منهم"),
    "standard.title.estimated": ("Estimated total", "العدد الكلي المقدَّر"),
    "standard.definition.reported": (
        "Every person named on at least one list, after duplicate records are linked.",
        "كل شخص ورد في قائمة واحدة على الأقل، بعد ربط السجلات المكرَّرة.",
    ),
    "standard.definition.documented": (
        "A reported person with a full name, a date of death and a place of death.",
        "شخص مُبلَّغ عنه سُجِّل له اسم كامل وتاريخ وفاة ومكان وفاة.",
    ),
    "standard.definition.corroborated": (
        "A documented person reported by at least two independent sources.",
        "شخص موثَّق أبلغ عنه مصدران مستقلان على الأقل.",
    ),
    "standard.definition.verified": (
        "A corroborated person whose death the monitors checked under the published rules.",
        "شخص مؤكَّد تحقّق فريق الرصد من وفاته وفق القواعد المنشورة.",
    ),
    "standard.definition.estimated": (
        "The total including persons no list recorded, by multiple systems estimation, "
        "with its interval.",
        "العدد الكلي بمن فيهم من لم تسجّله أي قائمة، بطريقة تقدير الأنظمة المتعددة، مع فترته.",
    ),
    "standard.phrase": ("{n} {name}", "{n} {name}"),
    "standard.phrase.estimated": ("estimated {n} ({low}–{high})", "تقدير {n} ({low}–{high})"),
    "standard.range": ("interval {low}–{high}", "الفترة {low}–{high}"),
    "legacy.persons": ("Persons documented", "الأشخاص الموثَّقون"),
    "legacy.persons.sub": ("distinct persons after record linkage", "أشخاص مميَّزون بعد ربط السجلات"),
    "legacy.records": ("Records", "السجلات"),
    "legacy.records.sub": ("{n} rows quarantined (unreadable)", "{n} صفاً في الحجر (غير مقروءة)"),
    "legacy.sources": ("Sources", "المصادر"),
    "legacy.sources.sub": ("{n} independent", "{n} مستقلة"),
    "legacy.estimate": ("Estimated total", "العدد الكلي المقدَّر"),
    "legacy.share": ("Share documented", "نسبة الموثَّقين"),
    "legacy.share.sub": ("documented ÷ estimated", "الموثَّقون ÷ المقدَّر"),
    "legacy.not_estimated": ("Not estimated", "لم يُقدَّر"),
    "legacy.not_estimated.sub": (
        "No estimate of the undocumented total is part of this report.",
        "لا يتضمن هذا التقرير تقديراً لعدد غير الموثَّقين.",
    ),
    "model": ("model {model}", "النموذج {model}"),
    # Numbers in words
    "interval": (
        "{estimate} ({level} interval {low}–{high})",
        "{estimate} (فترة {level}: {low}–{high})",
    ),
    "no_upper_bound": ("no upper bound", "بلا حدّ أعلى"),
    "undefined": ("undefined", "غير معرَّف"),
    "yes": ("yes", "نعم"),
    "no": ("no", "لا"),
    "infinite": ("infinite", "لا نهائي"),
    "not_a_number": ("not a number", "ليس عدداً"),
    "minus_infinite": ("-infinite", "سالب لا نهائي"),
    # Sources
    "sources.intro": (
        "Each source supplied one or more files (imports). Rows that could not be read are kept "
        "in quarantine with the reason and are not counted as records. A source that declares it "
        "copies another is not an independent list.",
        "قدّم كل مصدر ملفاً واحداً أو أكثر. الصفوف التي تعذّرت قراءتها تُحفظ في الحجر مع سبب ذلك "
        "ولا تُحتسب سجلات. والمصدر الذي يصرّح بأنه ينسخ عن مصدر آخر لا يُعدّ قائمة مستقلة.",
    ),
    "sources.source": ("Source", "المصدر"),
    "sources.kind": ("Kind", "النوع"),
    "sources.independence": ("Independence", "الاستقلالية"),
    "sources.imports": ("Imports", "الملفات"),
    "sources.records": ("Records", "السجلات"),
    "sources.quarantined": ("Quarantined", "في الحجر"),
    "sources.copies": ("copies {name}", "ينسخ عن {name}"),
    "sources.independent": ("independent", "مستقل"),
    "sources.all": ("All sources", "جميع المصادر"),
    "sources.none": ("No source has been imported.", "لم يُستورد أي مصدر بعد."),
    # Persons
    "persons.intro": (
        "{records} records were linked into {persons} distinct persons. Every figure below counts "
        "persons, not records, and no name is shown.",
        "رُبط {records} سجلاً في {persons} شخصاً مميَّزاً. كل رقم أدناه يعدّ أشخاصاً لا سجلات، "
        "ولا يظهر أي اسم.",
    ),
    "standards.title": ("Counting standards", "معايير العدّ"),
    "standards.intro": (
        "The same deaths counted under stricter and stricter standards, and estimated. A person "
        "who does not meet a standard is not dropped: they stay in the wider counts.",
        "الوفيات نفسها معدودةً وفق معايير تزداد صرامة، ثم مقدَّرةً. من لا يستوفي معياراً لا يُسقَط، "
        "بل يبقى في الأعداد الأوسع.",
    ),
    "standards.standard": ("Standard", "المعيار"),
    "standards.persons": ("Persons", "الأشخاص"),
    "standards.definition": ("Definition", "التعريف"),
    "missing.title": (
        "Not documented: counted separately, not dropped",
        "غير الموثَّقين: يُعدّون على حدة ولا يُسقَطون",
    ),
    "missing.intro": (
        "Reported persons who lack what the documented standard requires, by what they lack. "
        "A person may lack more than one item, so the rows are not added.",
        "الأشخاص المُبلَّغ عنهم الذين ينقصهم ما يشترطه معيار التوثيق، حسب الناقص. قد ينقص الشخصَ "
        "أكثرُ من عنصر، لذا لا تُجمع الصفوف.",
    ),
    "missing.item": ("Lacking", "الناقص"),
    "missing.full name": ("full name", "الاسم الكامل"),
    "missing.date of death": ("date of death", "تاريخ الوفاة"),
    "missing.place of death": ("place of death", "مكان الوفاة"),
    "persons.by_governorate": ("By governorate", "حسب المحافظة"),
    "persons.governorate_chart": (
        "Persons documented by governorate",
        "الأشخاص الموثَّقون حسب المحافظة",
    ),
    "persons.governorate_caption": (
        "Persons documented by governorate of death (OCHA p-codes), largest first.",
        "الأشخاص الموثَّقون حسب محافظة الوفاة (رموز أوتشا)، من الأكبر إلى الأصغر.",
    ),
    "persons.no_governorate_note": (
        "A further {n} persons have no governorate recorded and are not shown.",
        "ولا يظهر {n} شخصاً آخرين لم تُسجَّل لهم محافظة.",
    ),
    "persons.no_governorate_at_all": (
        "No person has a governorate recorded.",
        "لم تُسجَّل محافظة لأي شخص.",
    ),
    "persons.pcode": ("P-code", "الرمز"),
    "persons.governorate": ("Governorate", "المحافظة"),
    "persons.governorate_other": ("المحافظة", "Governorate"),
    "persons.persons": ("Persons", "الأشخاص"),
    "persons.share": ("Share", "النسبة"),
    "persons.no_governorate": ("No governorate recorded", "لا محافظة مسجَّلة"),
    "persons.all": ("All persons", "جميع الأشخاص"),
    "persons.by_sex": ("By sex", "حسب الجنس"),
    "persons.sex": ("Sex", "الجنس"),
    "sex.male": ("Male", "ذكر"),
    "sex.female": ("Female", "أنثى"),
    "sex.unknown": ("Not recorded", "غير مسجَّل"),
    "persons.children": ("Children", "الأطفال"),
    "children.share": (
        "persons ({share} of all documented) were certainly under 18:",
        "شخصاً ({share} من جميع الموثَّقين) كانوا دون الثامنة عشرة يقيناً:",
    ),
    "children.no_share": ("persons were certainly under 18:", "شخصاً كانوا دون الثامنة عشرة يقيناً:"),
    "children.rule": (
        "their recorded age, or the top of their recorded age range, is below 18. Persons whose "
        "age is unknown are not counted here, so this is a lower bound.",
        "عمرهم المسجَّل، أو الحدّ الأعلى لفئتهم العمرية المسجَّلة، دون ١٨. ولا يُحتسب هنا من عمره "
        "مجهول، فهذا حدّ أدنى.",
    ),
    "persons.by_age_sex": ("By age and sex", "حسب العمر والجنس"),
    "age_sex.chart": (
        "Persons documented by age group and sex",
        "الأشخاص الموثَّقون حسب الفئة العمرية والجنس",
    ),
    "age_sex.caption": (
        "Males on the left, females on the right; age groups under 18 are drawn lighter and "
        "bracketed. Persons of unknown sex are counted in the right-hand column.",
        "الذكور على اليمين والإناث على اليسار؛ الفئات العمرية دون ١٨ بلون أفتح وضمن قوس. "
        "ويُعدّ من جنسه غير مسجَّل في العمود الأيسر.",
    ),
    "age_sex.unknown_age": (
        "{n} persons of unknown age are not in the chart.",
        "لا يظهر في الرسم {n} شخصاً عمرهم مجهول.",
    ),
    # Time
    "time.week_chart": ("Persons documented per ISO week", "الأشخاص الموثَّقون في كل أسبوع"),
    "time.week_caption": (
        "Persons documented per ISO week (weeks start on Monday), from the week of {first} to "
        "the week of {last}; weeks with no death recorded show no bar. Peak: {peak} persons in "
        "the week of {peak_week}.",
        "الأشخاص الموثَّقون في كل أسبوع (يبدأ الأسبوع يوم الاثنين)، من أسبوع {first} إلى أسبوع "
        "{last}؛ الأسابيع التي لم تُسجَّل فيها وفاة بلا عمود. الذروة: {peak} شخصاً في أسبوع "
        "{peak_week}.",
    ),
    "time.no_weeks": (
        "No person has a full date of death, so there is no weekly series.",
        "لا يوجد شخص له تاريخ وفاة كامل، فلا سلسلة أسبوعية.",
    ),
    "time.dated": (
        "{n} persons have a full date of death and are shown by week.",
        "{n} شخصاً لهم تاريخ وفاة كامل ويظهرون حسب الأسبوع.",
    ),
    "time.undated": (
        "persons{share} have no full date of death (only a year, a month, or nothing) and are "
        "not in the chart.",
        "شخصاً{share} بلا تاريخ وفاة كامل (سنة أو شهر فقط أو لا شيء) ولا يظهرون في الرسم.",
    ),
    "time.by_governorate": ("Per week, by governorate", "في كل أسبوع، حسب المحافظة"),
    "time.governorate_chart": (
        "Persons documented per week in the governorates with the most deaths",
        "الأشخاص الموثَّقون في كل أسبوع في المحافظات الأكثر وفيات",
    ),
    "time.governorate_caption": (
        "One row per governorate, all on the same scale, so heights compare across rows; the "
        "remaining governorates are added together as “{other}”. The figure on each row is its "
        "total.",
        "صف لكل محافظة، وكلها بالمقياس نفسه فتُقارن الارتفاعات بين الصفوف؛ وجُمعت بقية المحافظات "
        "تحت «{other}». الرقم في كل صف هو مجموعه.",
    ),
    "time.other": ("Other governorates", "محافظات أخرى"),
    # Incidents
    "incidents.intro": (
        "Some reports describe an incident and how many were killed without naming them. They "
        "are counted here by how well each is supported, as a range, and are never added to "
        "the named persons above: the same deaths may already be among them. Reports of one "
        "event from several sources, once a reviewer has grouped them, count as one event, "
        "under the strongest grade among them and with the range its reports of that grade give.",
        "تصف بعض التقارير حادثة وعدد من قُتلوا فيها دون ذكر أسمائهم. تُعدّ هنا حسب قوة ما يسندها، "
        "في صورة مدى، ولا تُضاف أبداً إلى الأشخاص المسمَّين أعلاه: فقد تكون الوفيات نفسها بينهم. "
        "وما ورد من عدة مصادر عن حدث واحد يُعدّ حدثاً واحداً بعد أن يجمعه مراجِع، تحت أقوى درجة "
        "بين تقاريره، وبالمدى الذي تعطيه تقاريره من تلك الدرجة.",
    ),
    "incidents.grade": ("Grade", "الدرجة"),
    "incidents.incidents": ("Events", "الأحداث"),
    "incidents.killed": ("Killed (range)", "القتلى (المدى)"),
    "incidents.none": (
        "No incident-level report without names has been recorded.",
        "لم يُسجَّل أي تقرير عن حادثة بلا أسماء.",
    ),
    "grade.confirmed": ("confirmed", "مؤكَّدة"),
    "grade.fair": ("fair", "مقبولة"),
    "grade.weak": ("weak", "ضعيفة"),
    "grade.contested": ("contested", "متنازَع عليها"),
    "grade.discounted": ("discounted", "مستبعَدة"),
    "range": ("{low}–{high}", "{low}–{high}"),
    # Overlap
    "overlap.intro": (
        "Estimation rests on how the lists overlap: for each person, the set of lists that "
        "recorded them (the capture history). Of {observed} persons on these lists, {single} "
        "({share}) were recorded by one list only.",
        "يقوم التقدير على تداخل القوائم: لكل شخص مجموعة القوائم التي سجّلته (تاريخ الرصد). من "
        "أصل {observed} شخصاً في هذه القوائم، سجّلت قائمةٌ واحدة فقط {single} منهم ({share}).",
    ),
    "overlap.chart": (
        "Persons by the combination of lists that recorded them",
        "الأشخاص حسب مجموعة القوائم التي سجّلتهم",
    ),
    "overlap.caption": (
        "Each bar counts the persons recorded by exactly the lists marked with a dark dot below "
        "it, and by no other list; largest combinations first.",
        "يعدّ كل عمود الأشخاص الذين سجّلتهم القوائم المعلَّمة بنقطة داكنة تحته دون غيرها؛ "
        "والمجموعات الأكبر أولاً.",
    ),
    "overlap.list": ("List", "القائمة"),
    "overlap.share": ("Share of persons on lists", "النسبة من الأشخاص في القوائم"),
    "overlap.none": (
        "No capture histories are available, so the overlap of lists is not shown.",
        "لا تتوفر تواريخ رصد، فلا يُعرض تداخل القوائم.",
    ),
    # Estimate
    "estimate.intro": (
        "Persons on the lists are those recorded by at least one list. The estimate adds the "
        "persons no list recorded, inferred from how the lists overlap: {estimate} persons in "
        "all, of whom {observed} are on the lists.",
        "الأشخاص في القوائم هم من سجّلتهم قائمة واحدة على الأقل. ويضيف التقدير من لم تسجّلهم أي "
        "قائمة، استنتاجاً من تداخل القوائم: {estimate} شخصاً إجمالاً، منهم {observed} في القوائم.",
    ),
    "estimate.share": (
        "The lists hold a share of {share} of the total.",
        "وتضمّ القوائم نسبة {share} من المجموع.",
    ),
    "estimate.none": (
        "No overall estimate was made; only documented counts are reported.",
        "لم يُجرَ تقدير إجمالي؛ تُعرض الأعداد الموثَّقة فقط.",
    ),
    "estimate.chart": (
        "Persons documented and estimated, by stratum",
        "الأشخاص الموثَّقون والمقدَّرون حسب الطبقة",
    ),
    "estimate.caption": (
        "Bars: persons documented. Dots and whiskers: estimated total and its interval. Strata "
        "marked \u201cdocumented only\u201d had too little overlap between lists to estimate.",
        "الأعمدة: الأشخاص الموثَّقون. النقاط والخطوط: العدد الكلي المقدَّر وفترته. الطبقات "
        "المعلَّمة «موثَّقون فقط» لم يكفِ تداخل القوائم فيها للتقدير.",
    ),
    "estimate.identifiable_title": (
        "Who enters the estimate",
        "من يدخل في التقدير",
    ),
    "estimate.identifiable": (
        "Only records that carry enough to be matched enter the capture histories: at least "
        "{parts} name parts, a date of death to the {date} or finer and a place of death at "
        "{place} level or finer. Of {records} records of the persons counted here, {records_out} "
        "fall short; {persons_out} of {persons} persons have no such record and are left out of "
        "the estimate. They are still reported and counted under every standard above.",
        "لا تدخل تواريخَ الرصد إلا السجلات التي تحمل ما يكفي لمطابقتها: {parts} أجزاء من الاسم "
        "على الأقل، وتاريخ وفاة بدقة {date} أو أدق، ومكان وفاة على مستوى {place} أو أدق. من "
        "أصل {records} سجلاً للأشخاص المعدودين هنا، يقصر {records_out} منها؛ و{persons_out} من "
        "{persons} شخصاً لا سجلَّ لهم كهذا فيُستبعدون من التقدير، لكنهم يبقون مُبلَّغاً عنهم "
        "ومعدودين في كل المعايير أعلاه.",
    ),
    "estimate.left_out_by": ("Left out, by what they lack", "المستبعَدون، بحسب ما ينقصهم"),
    "estimate.left_out_records": ("Records", "السجلات"),
    "estimate.left_out_persons": ("Persons", "الأشخاص"),
    "estimate.waived": (
        "{lists} record no {what} at all: it is not asked of their records, which are matched "
        "on what they do record.",
        "لا تسجِّل {lists} {what} إطلاقاً، فلا يُطلب من سجلاتها، وتُطابَق على ما تسجِّله.",
    ),
    "waived.date of death": ("date of death", "تاريخ الوفاة"),
    "waived.place of death": ("place of death", "مكان الوفاة"),
    "lacking.name parts": ("enough name parts", "أجزاء كافية من الاسم"),
    "lacking.date of death": ("a precise enough date of death", "تاريخ وفاة بدقة كافية"),
    "lacking.place of death": ("a precise enough place of death", "مكان وفاة بدقة كافية"),
    "lacking.no one record meets every requirement": (
        "no one record meets every requirement",
        "لا يستوفي سجلٌّ واحد كل الشروط",
    ),
    "precision.day": ("day", "اليوم"),
    "precision.month": ("month", "الشهر"),
    "precision.year": ("year", "السنة"),
    "level.governorate": ("governorate", "المحافظة"),
    "level.district": ("district", "المنطقة"),
    "level.subdistrict": ("subdistrict", "الناحية"),
    "level.community": ("community", "التجمّع السكاني"),
    "estimate.linkage_title": ("Linkage uncertainty", "عدم اليقين في الربط"),
    "estimate.linkage": (
        "Which records are the same person is itself uncertain. The estimate was made on each "
        "of {draws} clusterings of the records drawn from the linkage model's match "
        "probabilities (reviewers' decisions and rule links kept as they are), and their "
        "posteriors pooled. Linkage accounts for {share} of the interval's width.",
        "إن تحديد السجلات التي تعود إلى الشخص نفسه غير مؤكد بدوره. فقد أُجري التقدير على كل "
        "واحد من {draws} تجميعاً للسجلات سُحبت من احتمالات التطابق في نموذج الربط (مع إبقاء "
        "قرارات المراجعين وروابط القاعدة كما هي)، ثم جُمعت توزيعاتها اللاحقة. ويعود إلى الربط "
        "{share} من عرض الفترة.",
    ),
    "estimate.linkage_no_share": (
        "Which records are the same person is itself uncertain. The estimate was made on each "
        "of {draws} clusterings of the records drawn from the linkage model's match "
        "probabilities, and their posteriors pooled.",
        "إن تحديد السجلات التي تعود إلى الشخص نفسه غير مؤكد بدوره. فقد أُجري التقدير على كل "
        "واحد من {draws} تجميعاً للسجلات سُحبت من احتمالات التطابق في نموذج الربط، ثم جُمعت "
        "توزيعاتها اللاحقة.",
    ),
    "linkage.none": (
        "The store holds no model link decisions (rule links or reviewers' decisions only): "
        "there is nothing to draw, so the interval does not carry linkage uncertainty.",
        "لا يحوي المخزن قرارات ربط من النموذج (روابط القاعدة أو قرارات المراجعين فقط): لا شيء "
        "يُسحب منه، فلا تحمل الفترة عدم اليقين الناتج عن الربط.",
    ),
    "linkage.off": (
        "Linkage draws were turned off (--linkage-draws 0): the interval does not carry "
        "linkage uncertainty.",
        "أُوقف سحب تجميعات الربط (--linkage-draws 0): لا تحمل الفترة عدم اليقين الناتج عن الربط.",
    ),
    "linkage.from_file": (
        "Capture histories read from a file: there are no link decisions to draw from, so the "
        "interval does not carry linkage uncertainty.",
        "قُرئت تواريخ الرصد من ملف: لا قرارات ربط يُسحب منها، فلا تحمل الفترة عدم اليقين "
        "الناتج عن الربط.",
    ),
    "warning.split_singletons": (
        "The lists look split: {share} of persons are on one list only, where the linkage "
        "model's own match probabilities imply {expected}. Missed links between lists inflate "
        "the estimate; review the pairs waiting for review before publishing it.",
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
        "The linkage model looks miscalibrated: reviewers accepted {accepted} of {pairs} pairs "
        "in the review band, where the model's match probabilities predict {predicted}. The "
        "interval rests on those probabilities; link again so the model learns from the "
        "reviewers' decisions.",
        "يبدو نموذج الربط غير معايَر: قبِل المراجعون {accepted} من {pairs} زوجاً في نطاق "
        "المراجعة، بينما تتوقع احتمالات التطابق في النموذج {predicted}. تستند الفترة إلى تلك "
        "الاحتمالات؛ أعِد الربط ليتعلّم النموذج من قرارات المراجعين.",
    ),
    "estimate.all": ("All persons", "جميع الأشخاص"),
    "estimate.stratum": ("Stratum", "الطبقة"),
    "estimate.documented": ("Documented", "الموثَّقون"),
    "estimate.total": ("Estimated total", "العدد الكلي المقدَّر"),
    "estimate.share_documented": ("Share documented", "نسبة الموثَّقين"),
    "estimate.note": ("Note", "ملاحظة"),
    "estimate.not_estimated": ("not estimated", "لم يُقدَّر"),
    "estimate.documented_only": ("Documented only.", "موثَّقون فقط."),
    "estimate.density_title": (
        "Posterior distribution of the total",
        "التوزيع اللاحق للعدد الكلي",
    ),
    "estimate.density_chart": (
        "Posterior distribution of the total number of persons",
        "التوزيع اللاحق للعدد الكلي للأشخاص",
    ),
    "estimate.density_caption": (
        "How plausible each total is, given the lists: a histogram of {draws} posterior draws of "
        "the total ({chains}, one draw kept every {every} sweeps{summed}). The darker "
        "area is the {level} interval, between the dashed lines; the solid line is the median, "
        "which is the published estimate.",
        "مدى معقولية كل مجموع بالنظر إلى القوائم: مدرَّج تكراري لـ{draws} سحبة لاحقة للمجموع "
        "({chains}، سحبة واحدة من كل {every} دورة{summed}). المنطقة الأدكن هي فترة {level} "
        "بين الخطين المتقطعين، والخط المتصل هو الوسيط، وهو التقدير المنشور.",
    ),
    "chains.one": ("1 chain", "سلسلة واحدة"),
    "chains.two": ("2 chains", "سلسلتان"),
    "chains.many": ("{n} chains", "{n} سلاسل"),
    "estimate.summed": (
        "; each draw is the sum of the strata's draws",
        "؛ كل سحبة هي مجموع سحبات الطبقات",
    ),
    "estimate.trace_chart": (
        "Draws of the total by chain (trace plot)",
        "سحبات المجموع حسب السلسلة (مخطط التتبّع)",
    ),
    "estimate.converged_title": ("Did the sampler converge?", "هل تقارب المعاين؟"),
    "estimate.trace_caption": (
        "Each line is one chain of the sampler, started independently. Chains that have converged "
        "wander over the same band with no trend and overlap; a line that drifts, or sits apart "
        "from the others, means the run was too short.",
        "كل خط سلسلة من المعاين بدأت مستقلة. السلاسل المتقاربة تتجول في النطاق نفسه بلا اتجاه "
        "وتتداخل؛ والخط الذي ينجرف أو يبتعد عن غيره يعني أن التشغيل كان أقصر من اللازم.",
    ),
    "estimate.graphs_title": ("Graphs behind the estimate", "النماذج البيانية وراء التقدير"),
    "estimate.graphs_intro": (
        "The estimate averages over decomposable graphical models of how the lists depend on each "
        "other, each weighted by its posterior probability. Lists within one bracket may depend "
        "on each other; lists never in the same bracket are taken as independent given the rest. "
        "The most probable graphs:",
        "يأخذ التقدير متوسط نماذج بيانية قابلة للتفكيك تصف اعتماد القوائم بعضها على بعض، كلٌّ "
        "بوزن احتماله اللاحق. القوائم داخل القوس الواحد قد يعتمد بعضها على بعض، وما لا يجتمع في "
        "قوس يُعدّ مستقلاً بشرط الباقي. النماذج الأرجح:",
    ),
    "estimate.graph": ("Graph (lists recorded together)", "النموذج (القوائم المرصودة معاً)"),
    "estimate.weight": ("Weight", "الوزن"),
    "estimate.models_title": ("Models behind the estimate", "النماذج وراء التقدير"),
    "estimate.models_intro": (
        "Log-linear models ranked by {criterion} (lower fits better); the weight is each model's "
        "share by that criterion.",
        "النماذج اللوغاريتمية الخطية مرتَّبة حسب {criterion} (الأدنى أفضل مطابقة)؛ والوزن حصة كل "
        "نموذج وفق هذا المعيار.",
    ),
    "estimate.models_lists": (
        "Each term names lists that may depend on each other, numbered {lists}.",
        "كل حدّ يسمّي قوائم قد يعتمد بعضها على بعض، مرقَّمة: {lists}.",
    ),
    "estimate.model": ("Model", "النموذج"),
    "estimate.estimate": ("Estimate", "التقدير"),
    # Methodology
    "method.sources": ("Sources and their sizes", "المصادر وأحجامها"),
    "method.sources_intro": (
        "{sources} sources ({independent} independent) supplied {records} records; {quarantined} "
        "rows could not be read and are kept in quarantine.",
        "قدّمت {sources} مصادر ({independent} منها مستقلة) {records} سجلاً؛ وتعذّرت قراءة "
        "{quarantined} صفاً فحُفظت في الحجر.",
    ),
    "method.source_size": (
        "{records} records from {imports} file(s)",
        "{records} سجلاً من {imports} ملف",
    ),
    "method.linkage": ("Record linkage", "ربط السجلات"),
    "method.linkage_intro": (
        "Sources often report the same person, spelt differently or in another script. Records "
        "were compared and clustered into persons; a reviewer's accept or reject decision always "
        "overrides the model and survives re-runs.",
        "كثيراً ما تُبلغ المصادر عن الشخص نفسه بتهجئة مختلفة أو بحروف أخرى. قورنت السجلات وجُمعت "
        "في أشخاص؛ وقرار المراجِع بالقبول أو الرفض يعلو دائماً على النموذج ويبقى عند إعادة التشغيل.",
    ),
    "method.no_linkage": ("No linkage settings were recorded.", "لم تُسجَّل إعدادات للربط."),
    "method.verification": ("Verification", "التحقق"),
    "method.verification_intro": (
        "Each person's status is set by the rules below, applied in order; a reviewer's decision "
        "overrides them. Reviewers made {decisions} status decisions. {conflicting} persons have "
        "conflicting reports (for example different dates or places of death); the conflicts "
        "are kept and shown to reviewers, not resolved silently.",
        "تُحدَّد حالة كل شخص بالقواعد أدناه بالترتيب، ويعلو قرار المراجِع عليها. اتخذ المراجعون "
        "{decisions} قراراً بشأن الحالة. ولدى {conflicting} شخصاً تقارير متعارضة (كاختلاف تاريخ "
        "الوفاة أو مكانها)؛ تُحفظ هذه التعارضات وتُعرض على المراجعين ولا تُحسم خفية.",
    ),
    "method.rules_hash": ("Rules file SHA-256", "بصمة SHA-256 لملف القواعد"),
    "method.no_rules": ("No verification rules were recorded.", "لم تُسجَّل قواعد للتحقق."),
    "method.estimation": ("Estimation", "التقدير"),
    "method.method": ("Method", "الطريقة"),
    "method.model": ("Model", "النموذج"),
    "method.on_lists": ("Persons on the lists", "الأشخاص في القوائم"),
    "method.estimate": ("Estimate", "التقدير"),
    "method.mse": (
        "Multiple systems estimation treats each independent source as a list and counts, for "
        "every combination of lists, the persons recorded by exactly those lists.",
        "يعامل تقدير الأنظمة المتعددة كل مصدر مستقل قائمةً، ويعدّ لكل مجموعة من القوائم الأشخاص "
        "الذين سجّلتهم تلك القوائم تحديداً.",
    ),
    "method.lcmcr": (
        "A Bayesian latent-class model (LCMCR, Manrique-Vallier 2016) fitted to these counts "
        "infers the one count that cannot be observed: the persons recorded by no list. It groups "
        "people into latent classes, each with its own chance of being recorded by each list, and "
        "a Gibbs sampler draws plausible totals; the estimate is their median.",
        "يستنتج نموذج الفئات الكامنة البايزي (LCMCR، مانريكي-فالييه ٢٠١٦) المطابَق على هذه الأعداد "
        "العددَ الوحيد الذي لا يمكن رصده: من لم تسجّلهم أي قائمة. يجمع الناس في فئات كامنة لكل "
        "منها فرصتها في أن تسجّلها كل قائمة، ويسحب معاين غيبس مجاميع معقولة؛ والتقدير وسيطها.",
    ),
    "method.dga": (
        "Bayesian model averaging over decomposable graphical models (Madigan and York 1997) "
        "infers the one count that cannot be observed: the persons recorded by no list. The "
        "estimate is the median of the averaged posterior.",
        "يستنتج متوسط النماذج البايزي عبر النماذج البيانية القابلة للتفكيك (ماديغان ويورك ١٩٩٧) "
        "العددَ الوحيد الذي لا يمكن رصده: من لم تسجّلهم أي قائمة. والتقدير وسيط التوزيع اللاحق.",
    ),
    "method.loglinear": (
        "A log-linear model fitted to these counts predicts the one count that cannot be "
        "observed: the persons recorded by no list.",
        "يتنبأ نموذج لوغاريتمي خطي مطابَق على هذه الأعداد بالعدد الوحيد الذي لا يمكن رصده: من لم "
        "تسجّلهم أي قائمة.",
    ),
    "method.assumptions": (
        "The result rests on assumptions, stated here in plain words:",
        "تقوم النتيجة على افتراضات، نذكرها هنا بكلمات بسيطة:",
    ),
    "method.closed": ("Closed population.", "مجتمع مغلق."),
    "method.closed_text": (
        "All lists describe the same set of deaths: the same place, period and kind of victim. "
        "Persons outside that scope are not in the estimate.",
        "تصف القوائم كلها مجموعة الوفيات نفسها: المكان والفترة ونوع الضحايا أنفسهم. ومن هم خارج "
        "هذا النطاق ليسوا في التقدير.",
    ),
    "method.matching": ("Perfect matching.", "ربط تام."),
    "method.matching_text": (
        "Record linkage found every person who appears on more than one list, and merged no two "
        "different people. Missed links inflate the estimate; false links deflate it.",
        "وجد ربط السجلات كل شخص يظهر في أكثر من قائمة، ولم يدمج شخصين مختلفين. الروابط الفائتة "
        "تضخّم التقدير، والروابط الخاطئة تُنقصه.",
    ),
    "method.dependence": ("Dependence and heterogeneity.", "الاعتماد والتباين."),
    "method.dependence_text": (
        "Lists need not be independent, and some victims are easier to record than others. The "
        "models allow for this: log-linear models and graphical models through interaction terms "
        "between lists, chosen from the data; LCMCR through latent classes of people who are more "
        "or less easy to record. What no model can capture is heterogeneity that leaves no trace "
        "in the overlaps. A source declared as a copy of another is not an independent list.",
        "لا يلزم أن تكون القوائم مستقلة، وبعض الضحايا أسهل رصداً من غيرهم. وتراعي النماذج ذلك: "
        "النماذج اللوغاريتمية الخطية والبيانية عبر حدود تفاعل بين القوائم تُختار من البيانات، "
        "وLCMCR عبر فئات كامنة من الناس متفاوتة في سهولة رصدها. وما لا يلتقطه أي نموذج هو تباين لا "
        "يترك أثراً في التداخلات. والمصدر المصرَّح بأنه نسخة عن غيره ليس قائمة مستقلة.",
    ),
    "method.strata": (
        "Strata (for example governorates or periods) are estimated separately where each has "
        "enough overlap between lists; sparse strata are reported as documented counts only.",
        "تُقدَّر الطبقات (كالمحافظات أو الفترات) كلٌّ على حدة حيث يكفي تداخل القوائم فيها؛ وتُعرض "
        "الطبقات الشحيحة أعداداً موثَّقة فقط.",
    ),
    "method.warnings": ("Diagnostics warnings", "تحذيرات التشخيص"),
    "method.no_warnings": ("The estimator raised no warnings.", "لم يُصدر المقدِّر أي تحذير."),
    "method.this_report": ("This report", "هذا التقرير"),
    # Diagnostics
    "diag.rhat": ("R-hat", "R-hat"),
    "diag.ess": ("Effective sample size", "حجم العينة الفعّال"),
    "diag.ess_tail": ("Effective sample size, tails", "حجم العينة الفعّال، الأطراف"),
    "diag.K": ("Latent classes (K)", "الفئات الكامنة (K)"),
    "diag.burn_in": ("Burn-in sweeps", "دورات الإحماء"),
    "diag.warm_up": ("Warm-up sweeps", "دورات التسخين"),
    "diag.samples": ("Kept draws per chain", "السحبات المحفوظة لكل سلسلة"),
    "diag.thin": ("Thinning (one draw kept every n sweeps)", "التخفيف (سحبة من كل n دورة)"),
    "diag.mean_classes": ("Classes in use (mean)", "الفئات المستخدمة (المتوسط)"),
    "diag.mean_alpha": ("Dirichlet concentration alpha (mean)", "تركيز ديريكليه ألفا (المتوسط)"),
    "diag.mean": ("Posterior mean", "المتوسط اللاحق"),
    "diag.sd": ("Posterior SD", "الانحراف المعياري اللاحق"),
    "diag.quantiles": ("Posterior quantiles", "المئينات اللاحقة"),
    "diag.posterior": ("Posterior", "التوزيع اللاحق"),
    "diag.seconds": ("Sampling time", "زمن المعاينة"),
    "diag.a_alpha": ("Prior on alpha, shape", "التوزيع المسبق لألفا، الشكل"),
    "diag.b_alpha": ("Prior on alpha, rate", "التوزيع المسبق لألفا، المعدّل"),
    "diag.n_graphs": ("Graphs averaged", "النماذج البيانية المتوسَّطة"),
    "diag.best": ("Best model", "أفضل نموذج"),
    "diag.method": ("Method", "الطريقة"),
    "diag.preset": ("Preset", "الإعداد المسبق"),
    "diag.seed": ("Seed", "البذرة"),
    "diag.chains": ("Chains", "السلاسل"),
    "diag.converged": ("Converged", "تقارب"),
    "diag.lists": ("Lists", "القوائم"),
    "rhat.none": (
        "all draws of N are equal, so there is no spread to compare",
        "كل سحبات N متساوية، فلا تشتّت للمقارنة",
    ),
    "rhat.agree": ("below {agree}: the chains agree", "دون {agree}: السلاسل متفقة"),
    "rhat.disagree": (
        "above {disagree}: the chains disagree; run longer (--preset hrdag)",
        "فوق {disagree}: السلاسل غير متفقة؛ شغّل أطول (--preset hrdag)",
    ),
    "rhat.roughly": (
        "between {agree} and {disagree}: the chains roughly agree; a longer run (--preset hrdag) "
        "would settle it",
        "بين {agree} و{disagree}: السلاسل متفقة تقريباً؛ وتشغيل أطول (--preset hrdag) يحسم ذلك",
    ),
    "ess.equal": ("all draws of N are equal", "كل سحبات N متساوية"),
    "ess.few": (
        "too few for {goal} ({wanted} or more wanted); run longer or thin more",
        "أقل مما يلزم لـ{goal} (المطلوب {wanted} أو أكثر)؛ شغّل أطول أو خفّف أكثر",
    ),
    "ess.enough": (
        "enough for {goal} ({wanted} or more wanted)",
        "كافٍ لـ{goal} (المطلوب {wanted} أو أكثر)",
    ),
    "ess.median": ("a stable median", "وسيط مستقر"),
    "ess.tails": ("stable interval ends", "طرفَي فترة مستقرين"),
    "grid": (
        "N from {low} to {high} on {points} points{rule}",
        "N من {low} إلى {high} على {points} نقطة{rule}",
    ),
    "seconds": ("{n} s", "{n} ث"),
    # Linkage facts, as the store names them
    "linkage.records linked": ("Records linked", "السجلات المربوطة"),
    "linkage.persons (killed)": ("Persons (killed)", "الأشخاص (القتلى)"),
    "linkage.deterministic rule": ("Deterministic rule", "القاعدة الحتمية"),
    "linkage.links by rule": ("Links by rule", "روابط بالقاعدة"),
    "linkage.model links": ("Model links", "روابط النموذج"),
    "linkage.pairs awaiting review": ("Pairs awaiting review", "أزواج بانتظار المراجعة"),
    "linkage.reviewer matches": ("Reviewer matches", "تطابقات المراجعين"),
    "linkage.reviewer non-matches": ("Reviewer non-matches", "حالات عدم تطابق لدى المراجعين"),
    "linkage.engine": ("Engine", "المحرّك"),
    "linkage.match threshold": ("Match threshold", "عتبة التطابق"),
    "linkage.review band from": ("Review band from", "بداية نطاق المراجعة"),
    "linkage.last linkage run": ("Last linkage run", "آخر تشغيل للربط"),
    # Charts
    "chart.persons": ("persons", "الأشخاص"),
    "chart.persons_per_week": ("persons per week", "الأشخاص في الأسبوع"),
    "chart.week_of": ("Week of {date}: {n}", "أسبوع {date}: {n}"),
    "chart.persons_in_combination": ("persons in combination", "الأشخاص في المجموعة"),
    "chart.persons_on_list": ("persons on list", "الأشخاص في القائمة"),
    "chart.only": ("{lists} only: {n}", "{lists} فقط: {n}"),
    "chart.upset_desc": (
        "Bars: persons recorded by exactly that combination of lists (dots below). Right: "
        "persons on each list.",
        "الأعمدة: الأشخاص الذين سجّلتهم تلك المجموعة من القوائم تحديداً (النقاط أدناه). وعلى "
        "الجانب: الأشخاص في كل قائمة.",
    ),
    "chart.hidden_combinations": (
        "{patterns} smaller combinations ({persons} persons) not shown",
        "لا تظهر {patterns} مجموعة أصغر ({persons} شخصاً)",
    ),
    "chart.documented": ("documented", "موثَّقون"),
    "chart.documented_n": ("{label}: documented {n}", "{label}: موثَّقون {n}"),
    "chart.estimate_interval": ("estimate, {level} interval", "التقدير، فترة {level}"),
    "chart.documented_only": ("documented only", "موثَّقون فقط"),
    "chart.estimate_tip": (
        "{label}: estimate {n} (interval {low}–{high})",
        "{label}: التقدير {n} (الفترة {low}–{high})",
    ),
    "chart.density_desc": (
        "Histogram of {draws} posterior draws of the total. Median {median}; {level} interval "
        "{low} to {high}.",
        "مدرَّج تكراري لـ{draws} سحبة لاحقة للمجموع. الوسيط {median}؛ فترة {level} من {low} إلى "
        "{high}.",
    ),
    "chart.total_n": ("total persons (N)", "العدد الكلي (N)"),
    "chart.extreme": (
        "{n} extreme draws beyond the axis not shown",
        "لا تظهر {n} سحبة متطرفة خارج المحور",
    ),
    "chart.lower": ("lower {n}", "الأدنى {n}"),
    "chart.upper": ("upper {n}", "الأعلى {n}"),
    "chart.median": ("median {n}", "الوسيط {n}"),
    "chart.interval_end": ("{level} interval, {text}", "فترة {level}، {text}"),
    "chart.trace_desc": (
        "{n} chain(s); every line should wander over the same band with no trend.",
        "{n} سلسلة؛ يُفترض أن يتجول كل خط في النطاق نفسه بلا اتجاه.",
    ),
    "chart.sweeps": ("sweeps after burn-in", "الدورات بعد الإحماء"),
    "chart.chain": ("chain {n}", "السلسلة {n}"),
    "chart.male": ("male", "ذكور"),
    "chart.female": ("female", "إناث"),
    "chart.sex_unknown": ("sex not recorded", "الجنس غير مسجَّل"),
    "chart.under_18": ("under 18", "دون ١٨"),
    "chart.age": ("age", "العمر"),
    "chart.age_tip": (
        "Age {band}: {male} male, {female} female, {unknown} sex not recorded",
        "العمر {band}: {male} ذكور، {female} إناث، {unknown} الجنس غير مسجَّل",
    ),
    "chart.pyramid_desc": (
        "Population pyramid of persons documented, males on one side and females on the other, "
        "youngest at the bottom.",
        "هرم عمري للأشخاص الموثَّقين، الذكور في جانب والإناث في الآخر، والأصغر سناً في الأسفل.",
    ),
    "chart.small_multiples_desc": (
        "One row of weekly bars per governorate, on a common scale; its total by its name.",
        "صف من الأعمدة الأسبوعية لكل محافظة، بمقياس موحَّد؛ والمجموع في بداية كل صف.",
    ),
    "chart.week_governorate_tip": ("{name}, week of {date}: {n}", "{name}، أسبوع {date}: {n}"),
    "chart.scale_max": ("scale: 0 to {n} per week", "المقياس: ٠ إلى {n} في الأسبوع"),
}


def text(key: str, lang: str, /, **values: str) -> str:
    """The message `key` in `lang` ("ar" or anything else for English), fields filled in."""
    english, arabic = MESSAGES[key]
    wording = arabic if lang == "ar" else english
    return wording.format(**values) if values else wording


def has_text(key: str) -> bool:
    """Whether `key` has wording; for labels that come from data and may have none."""
    return key in MESSAGES
