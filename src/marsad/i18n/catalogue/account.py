"""A user's own account, password resets, lock-outs and sessions, and merging persons."""

from __future__ import annotations

PHRASES: dict[str, tuple[str, str]] = {
    "error.bad_request": ("This request is not valid.", "هذا الطلب غير صالح."),
    "users.locked_until": ("locked out until {time} UTC", "محظور حتى {time} بالتوقيت العالمي"),
    "users.unlock": ("Lift the lock-out", "رفع الحظر"),
    "users.unlocked": ("Lock-out of {username} lifted.", "رُفع الحظر عن {username}."),
    "users.reset": ("Password reset link", "رابط إعادة تعيين كلمة المرور"),
    "users.reset_made": (
        "A one-time link for {username} to set a new password (valid 24 hours, shown only now):",
        "رابط لمرة واحدة ليضع {username} كلمة مرور جديدة (صالح ٢٤ ساعة، ولا يظهر إلا الآن):",
    ),
    "users.logged_out": ("Every session of {username} has ended.", "انتهت كل جلسات {username}."),
    "password.rule": (
        "At least 10 characters and not easy to guess: a few unrelated words work.",
        "عشرة أحرف على الأقل، وغير سهلة التخمين: تفي بضع كلمات لا رابط بينها.",
    ),
    "password.too_short": ("The password is too short.", "كلمة المرور قصيرة جداً."),
    "password.too_long": ("The password is too long.", "كلمة المرور طويلة جداً."),
    "password.too_weak": ("The password is too easy to guess.", "كلمة المرور سهلة التخمين."),
    "password.current_wrong": ("The current password is wrong.", "كلمة المرور الحالية غير صحيحة."),
    "password.mismatch": ("The two new passwords differ.", "كلمتا المرور الجديدتان مختلفتان."),
    "account.title": ("Your account", "حسابك"),
    "account.change_password": ("Change the password", "تغيير كلمة المرور"),
    "account.current": ("Current password", "كلمة المرور الحالية"),
    "account.new": ("New password", "كلمة المرور الجديدة"),
    "account.confirm": ("New password again", "كلمة المرور الجديدة مرة أخرى"),
    "account.password_changed": (
        "Password changed; your other sessions have ended.",
        "تغيّرت كلمة المرور، وانتهت جلساتك الأخرى.",
    ),
    "account.sessions": ("Sessions", "الجلسات"),
    "account.sessions_note": (
        "Log out of every browser where you are signed in, this one too.",
        "سجّل الخروج من كل متصفح دخلت منه، وهذا المتصفح أيضاً.",
    ),
    "account.logout_all": ("Log out everywhere", "تسجيل الخروج من كل مكان"),
    "reset.title": ("Set a new password", "وضع كلمة مرور جديدة"),
    "reset.for": ("For the account {username}.", "للحساب {username}."),
    "reset.submit": ("Set the password", "حفظ كلمة المرور"),
    "reset.invalid": (
        "This link has been used or has expired. Ask an administrator for a new one.",
        "استُخدم هذا الرابط أو انتهت صلاحيته. اطلب رابطاً جديداً من المدير.",
    ),
    "reset.done": ("Password set. Log in with it.", "حُفظت كلمة المرور. سجّل الدخول بها."),
    "person.merge": ("Merge another person into this one", "دمج شخص آخر في هذا الشخص"),
    "person.merge_other": ("The other person's number", "رقم الشخص الآخر"),
    "person.merge_submit": ("Merge", "دمج"),
    "person.done.merge": (
        "Persons merged; the merge is in the audit log and can be undone.",
        "دُمج الشخصان؛ الدمج مسجّل في سجل التدقيق ويمكن التراجع عنه.",
    ),
    "review.not_proposed": (
        "Only pairs proposed for review, or records of one person, can be decided here; to join "
        "two persons, merge them from a person's page.",
        "لا يُبتّ هنا إلا في الأزواج المقترحة للمراجعة أو في سجلات شخص واحد؛ لضمّ شخصين ادمجهما "
        "من صفحة أحدهما.",
    ),
}
