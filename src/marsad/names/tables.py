"""Letter tables and small lexicons behind name normalisation and keys.

Everything that encodes knowledge about names lives here, so a reviewer can read the rules as
data. The key alphabet is plain ASCII (fuzzy comparisons in DuckDB count bytes):

    consonant classes  b t j h x d z r s c f k l m n w y
    vowel markers      a  word-initial vowel, ayn or hamza (Ahmad, Omar, Issa)
                       i/u  class of the vowel before the last consonant (Hussein, Hassoun)
                       a/i/u  class of the final vowel (Alaa, Ali, Abdo); a final ta marbuta,
                          alef, alef maqsura, ح or ه and a Latin final -a/-ah/-eh all read "a"

Class choices (each merges letters that transliterations confuse):
    t = ت ط ث   (Latin t, th)         d = د ض      (Latin d, initial/final dh)
    z = ذ ز ظ   (Latin z)             s = س ص      (Latin s, soft c, ç)
    c = ش       (Latin sh, ch, sch)   k = ك ق      (Latin k, q, hard c, ck)
    j = ج غ     (Latin j, g, gh, dj)  h = ح ه      (Latin h)
    x = خ       (Latin kh)            f = ف        (Latin f, ph, v)
"""

from __future__ import annotations

ARABIC_DIACRITICS = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]  # tanwin, harakat, shadda, sukun, maddah, hamza marks
    + ["\u0670"]  # superscript alef
    + [chr(c) for c in range(0x06D6, 0x06EE)]  # Quranic annotation marks
    + ["\u0640"]  # tatweel
    + ["\u200c", "\u200d", "\u200e", "\u200f"]  # joiners and direction marks
)
"""Characters removed before anything else: they never distinguish two people."""

ARABIC_LETTER_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ک": "ك",
    "ڪ": "ك",
    "ی": "ي",
    "ې": "ي",
    "ێ": "ي",
    "ۍ": "ي",
    "ۆ": "و",
    "ۇ": "و",
    "ۋ": "و",
    "ڕ": "ر",
    "ڵ": "ل",
    "ە": "ه",
    "ھ": "ه",
    "ۀ": "ة",
    "ۃ": "ة",
    "پ": "ب",
    "چ": "ش",
    "ژ": "ز",
    "گ": "ج",
    "ڤ": "ف",
    "ڨ": "ق",
}
"""Alef forms, Persian, Urdu and Kurdish letters folded to the Arabic letter a reader would type."""

ARABIC_DISPLAY_FOLD = {"ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
"""Extra folds for display/search normalisation only; keys keep these letters apart because
alef maqsura and ta marbuta tell a word-final vowel from a consonant."""

ARABIC_INDIC_DIGITS = {
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
}

ARABIC_CONSONANTS = {
    "ب": "b",
    "ت": "t",
    "ط": "t",
    "ث": "t",
    "ج": "j",
    "غ": "j",
    "ح": "h",
    "ه": "h",
    "خ": "x",
    "د": "d",
    "ض": "d",
    "ذ": "z",
    "ز": "z",
    "ظ": "z",
    "ر": "r",
    "س": "s",
    "ص": "s",
    "ش": "c",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
"""Arabic consonant letter -> key class."""

ARABIC_VOWEL_CLASS = {"ا": "a", "ى": "a", "ة": "a", "ء": "", "ع": "", "ئ": "i"}
"""Letters that carry no consonant in the key. ئ counts as an i-vowel because Latin writes the
hamza of Wa'il as e or i (Wael, Wail); ع and ء are silent in most transliterations."""

ARABIC_SEMIVOWELS = {"و": ("w", "u"), "ؤ": ("w", "u"), "ي": ("y", "i")}
"""Waw and ya: (consonant class, vowel class). Which one applies depends on the neighbours."""

ARABIC_VOWEL_LETTERS = frozenset("اىةءآأإ")
"""A waw or ya followed by one of these is a consonant (Marwan, Ziyad, Samiya)."""

ARABIC_ARTICLE = "ال"

ARABIC_NOT_ARTICLE = frozenset(
    ["الياس", "اليسار", "اليسا", "الهام", "الفت", "الماس", "الطاف", "الفة", "الين"]
)
"""Names that begin with alef-lam but have no article (Ilyas, Ilham, Ulfat typed without hamza)."""

ARABIC_KEY_SPELLINGS = {
    "داود": "dawud",
    "انور": "anwar",
    "اسود": "aswad",
    "عمرو": "amr",
    "مريم": "maryam",
    "مؤيد": "muayyad",
    "مويد": "muayyad",
    # Names that end in alef maqsura, typed with a dotless ya as many keyboards do: no name
    # ends in that ya, so the key is the alef maqsura's.
    "مصطفي": "mostafa",
    "عيسي": "isa",
    "موسي": "musa",
    "يحيي": "yahya",
    "مرتضي": "murtada",
    "بشري": "bushra",
    "نجوي": "najwa",
    "سلوي": "salwa",
    "ليلي": "layla",
    "هدي": "hoda",
    "مني": "mona",
    "نهي": "noha",
    "رضوي": "radwa",
    # Ta marbuta read as t, as every Latin spelling of the name writes it.
    "حياة": "hayat",
    "حياه": "hayat",
}
"""Arabic words the letter rules cannot read (a waw that is both consonant and vowel, the silent
waw of Amr, a ya that is a consonant with no vowel letter after it, an alef maqsura typed as ya):
their key is taken from this Latin spelling instead."""

ARABIC_KUNYA_HEADS = frozenset(["ابو", "ام"])
"""Abu X and Umm X (kunya) are one name part."""

ARABIC_COMPOUND_TAILS = frozenset(
    ["الدين", "الله", "الاسلام", "الحق", "العابدين", "الزمان", "الهدى", "الخير"]
)
"""Second words of theophoric compounds: Nour al-Din, Fath Allah, Saif al-Islam are one part."""

ARABIC_CONNECTORS = frozenset(["بن", "ابن", "بنت"])
"""'Son/daughter of' between given names; skipped when reading name parts."""

ARABIC_ALLAH = "الله"

LATIN_SPECIAL_LETTERS = {
    "ş": "sh",
    "ș": "sh",
    "ç": "s",
    "ğ": "g",
    "ı": "i",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "ṭ": "t",
    "ḥ": "h",
    "ṣ": "s",
    "ḍ": "d",
    "ẓ": "z",
}
"""Letters NFKD does not decompose to ASCII, or whose diacritic changes the sound."""

LATIN_APOSTROPHES = frozenset("'`´ʿʾʼʻ‘’′ʹ")
"""Marks for ayn and hamza (Sa'ad, Ra'ed, Mus`ab); they become a silent vowel in the key."""

LATIN_ARTICLES = frozenset(["al", "el", "ul", "il", "ol"])
"""Articles with l; the sun-letter forms (as-, ash-, ad-, ar-, az-, at-, an-, ech-) are
recognised by their doubled consonant: as-Sayed, ad-Din."""

LATIN_NOT_ARTICLE = frozenset(
    [
        "alaa",
        "alaaeddin",
        "alaeddine",
        "ali",
        "alia",
        "aliaa",
        "alya",
        "alwan",
        "alwani",
        "alawi",
        "alawiya",
        "alawiyeh",
        "alloush",
        "allouch",
        "allaf",
        "alam",
        "almas",
        "altaf",
        "alissar",
        "alissa",
        "elias",
        "elie",
        "elia",
        "eliane",
        "elissa",
        "elham",
        "ilham",
        "ilyas",
        "olfat",
        "ulfat",
        "elsa",
    ]
)
"""Names that start with al/el/il/ul/ol but are not article + name."""

LATIN_ALIASES = {
    # English/classical spelling of the fa'il pattern writes the short i that Levantine and
    # French spellings write as e (Khalid/Khaled); the key follows the Levantine reading.
    "khalid": "khaled",
    "majid": "majed",
    "nasir": "naser",
    "tahir": "taher",
    "jabir": "jaber",
    "sabir": "saber",
    "salih": "saleh",
    "adil": "adel",
    "kamil": "kamel",
    "fadil": "fadel",
    "fadhil": "fadel",
    "hashim": "hashem",
    "qasim": "qasem",
    "kasim": "kasem",
    "qassim": "qasem",
    "hazim": "hazem",
    "basim": "basem",
    "tariq": "tareq",
    "tarik": "tarek",
    "zahir": "zaher",
    "shakir": "shaker",
    "nadir": "nader",
    "ghalib": "ghaleb",
    "talib": "taleb",
    "hatim": "hatem",
    "jasim": "jasem",
    "jassim": "jasem",
    "kazim": "kazem",
    "kadhim": "kazem",
    "nazim": "nazem",
    "asim": "asem",
    "aasim": "asem",
    "mahir": "maher",
    "yasir": "yaser",
    "sadiq": "sadeq",
    "sadik": "sadek",
    "qadir": "qader",
    "kadir": "kader",
    "tamir": "tamer",
    "fatima": "fatma",
    "fatimah": "fatma",
    # Short u written in the last syllable (Yusuf, Yunus): the Arabic has no waw there.
    "yusuf": "yusef",
    "yousuf": "yusef",
    "yusif": "yusef",
    "yousif": "yusef",
    "yunus": "yunes",
    "younus": "yunes",
    "yunis": "yunes",
    "younis": "yunes",
    # The Maghrebi form, without the initial vowel.
    "brahim": "ibrahim",
    # Maryam in French and Turkish spellings: the ya is a consonant, not the vowel "ie".
    "meriem": "maryam",
    "mariem": "maryam",
    "meryem": "maryam",
    # French, Levantine and Maghrebi spellings the letter rules read as other sounds.
    "hayet": "hayat",
    "george": "jurj",
    "georges": "jurj",
    "zacharia": "zakaria",
    "zacharie": "zakaria",
    "mondher": "monzer",
    "monther": "monzer",
    "munthir": "monzer",
    "munzir": "monzer",
    "moataz": "mutaz",
    "moetaz": "mutaz",
    "muataz": "mutaz",
    "kawsar": "kawthar",
    "kaoutar": "kawthar",
    # Turkish forms of Arabic names common in northern Syria.
    "mehmet": "mohammad",
    "mehmed": "mohammad",
    "muhammet": "mohammad",
    "ahmet": "ahmad",
    "mahmut": "mahmoud",
    "osman": "othman",
    "halil": "khalil",
    "halit": "khaled",
    "hamit": "hamid",
    # A waw that is both consonant and vowel.
    "daoud": "dawud",
    "daud": "dawud",
    "dawood": "dawud",
    "dawoud": "dawud",
}
"""Whole-word Latin spellings the letter rules get wrong, mapped to a spelling they get right."""

LATIN_KUNYA_HEADS = frozenset(["abu", "abou", "abo", "aboo", "umm", "um", "oum", "om", "omm"])
LATIN_ABD_HEADS = frozenset(
    ["abd", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdil", "abdu", "abdou", "abdo"]
)
LATIN_CONNECTORS = frozenset(["bin", "ibn", "ben", "bint", "b."])
LATIN_COMPOUND_TAILS = frozenset(
    ["din", "dine", "deen", "allah", "ullah", "lah", "islam", "haq", "abidin", "abideen"]
)
"""Second words of theophoric compounds, after their article: (al-)Din, (al-)Islam, Allah."""

ARABIC_TO_LATIN_WORDS = {
    "محمد": "Muhammad",
    "احمد": "Ahmad",
    "محمود": "Mahmud",
    "مصطفى": "Mustafa",
    "علي": "Ali",
    "عمر": "Umar",
    "عثمان": "Uthman",
    "حسن": "Hasan",
    "حسين": "Husayn",
    "خالد": "Khalid",
    "يوسف": "Yusuf",
    "ابراهيم": "Ibrahim",
    "اسماعيل": "Ismail",
    "عبد": "Abd",
    "ابو": "Abu",
    "ام": "Umm",
    "بن": "bin",
    "ابن": "ibn",
    "بنت": "bint",
    "الله": "Allah",
    "الدين": "al-Din",
    "رحمن": "Rahman",
    "سعيد": "Said",
    "سعد": "Sad",
    "اسعد": "Asad",
    "فاطمة": "Fatima",
    "عائشة": "Aisha",
    "خديجة": "Khadija",
    "زينب": "Zaynab",
    "مريم": "Maryam",
    "نور": "Nur",
    "موسى": "Musa",
    "عيسى": "Isa",
    "يحيى": "Yahya",
    "سليمان": "Sulayman",
    "يونس": "Yunus",
    "جمال": "Jamal",
    "كمال": "Kamal",
    "سمير": "Samir",
    "سامر": "Samir",
    "عامر": "Amir",
    "عمار": "Ammar",
    "وليد": "Walid",
    "زياد": "Ziyad",
    "رياض": "Riyad",
    "ماهر": "Mahir",
    "ياسر": "Yasir",
    "ناصر": "Nasir",
    "هشام": "Hisham",
    "بشار": "Bashshar",
    "عبدالله": "Abdallah",
    "حمزة": "Hamza",
    "اسامة": "Usama",
    "طه": "Taha",
    "بكر": "Bakr",
    "كردي": "Kurdi",
    "مصري": "Masri",
    "درويش": "Darwish",
    "حمصي": "Homsi",
    "زعبي": "Zoubi",
    "عبدالرحمن": "Abd al-Rahman",
}
"""Common words whose reading the letter-by-letter fallback would garble (short vowels are not
written). Keys are normalised Arabic (alef forms folded)."""

ARABIC_TO_LATIN_LETTERS = {
    "ا": "a",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "'",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ء": "'",
    "ئ": "'",
    "ؤ": "'",
    "ى": "a",
    "ة": "a",
}
"""Loose, readable letter transliteration (no diacritics, no dots): for display only."""
