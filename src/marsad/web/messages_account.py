"""The words of account pages (password change and reset, sessions, lock-outs) and of merging
persons, in English and Arabic. Merged into marsad.web.messages.MESSAGES; both catalogues hold
the same keys."""

from __future__ import annotations

EN: dict[str, str] = {
    "error.bad_request": "This request is not valid.",
    "users.locked_until": "locked out until {time} UTC",
    "users.unlock": "Lift the lock-out",
    "users.unlocked": "Lock-out of {username} lifted.",
    "users.reset": "Password reset link",
    "users.reset_made": (
        "A one-time link for {username} to set a new password (valid 24 hours, shown only now):"
    ),
    "users.logged_out": "Every session of {username} has ended.",
    "password.rule": "At least 10 characters and not easy to guess: a few unrelated words work.",
    "password.too_short": "The password is too short.",
    "password.too_long": "The password is too long.",
    "password.too_weak": "The password is too easy to guess.",
    "password.current_wrong": "The current password is wrong.",
    "password.mismatch": "The two new passwords differ.",
    "account.title": "Your account",
    "account.change_password": "Change the password",
    "account.current": "Current password",
    "account.new": "New password",
    "account.confirm": "New password again",
    "account.password_changed": "Password changed; your other sessions have ended.",
    "account.sessions": "Sessions",
    "account.sessions_note": "Log out of every browser where you are signed in, this one too.",
    "account.logout_all": "Log out everywhere",
    "reset.title": "Set a new password",
    "reset.for": "For the account {username}.",
    "reset.submit": "Set the password",
    "reset.invalid": (
        "This link has been used or has expired. Ask an administrator for a new one."
    ),
    "reset.done": "Password set. Log in with it.",
    "person.merge": "Merge another person into this one",
    "person.merge_other": "The other person's number",
    "person.merge_submit": "Merge",
    "person.done.merge": "Persons merged; the merge is in the audit log and can be undone.",
    "review.not_proposed": (
        "Only pairs proposed for review, or records of one person, can be decided here; "
        "to join two persons, merge them from a person's page."
    ),
}

AR: dict[str, str] = {
    "error.bad_request": "هذا الطلب غير صالح.",
    "users.locked_until": "محظور حتى {time} بالتوقيت العالمي",
    "users.unlock": "رفع الحظر",
    "users.unlocked": "رُفع الحظر عن {username}.",
    "users.reset": "رابط إعادة تعيين كلمة المرور",
    "users.reset_made": (
        "رابط لمرة واحدة ليضع {username} كلمة مرور جديدة (صالح ٢٤ ساعة، ولا يظهر إلا الآن):"
    ),
    "users.logged_out": "انتهت كل جلسات {username}.",
    "password.rule": "عشرة أحرف على الأقل، وغير سهلة التخمين: تفي بضع كلمات لا رابط بينها.",
    "password.too_short": "كلمة المرور قصيرة جداً.",
    "password.too_long": "كلمة المرور طويلة جداً.",
    "password.too_weak": "كلمة المرور سهلة التخمين.",
    "password.current_wrong": "كلمة المرور الحالية غير صحيحة.",
    "password.mismatch": "كلمتا المرور الجديدتان مختلفتان.",
    "account.title": "حسابك",
    "account.change_password": "تغيير كلمة المرور",
    "account.current": "كلمة المرور الحالية",
    "account.new": "كلمة المرور الجديدة",
    "account.confirm": "كلمة المرور الجديدة مرة أخرى",
    "account.password_changed": "تغيّرت كلمة المرور، وانتهت جلساتك الأخرى.",
    "account.sessions": "الجلسات",
    "account.sessions_note": "سجّل الخروج من كل متصفح دخلت منه، وهذا المتصفح أيضاً.",
    "account.logout_all": "تسجيل الخروج من كل مكان",
    "reset.title": "وضع كلمة مرور جديدة",
    "reset.for": "للحساب {username}.",
    "reset.submit": "حفظ كلمة المرور",
    "reset.invalid": "استُخدم هذا الرابط أو انتهت صلاحيته. اطلب رابطاً جديداً من المدير.",
    "reset.done": "حُفظت كلمة المرور. سجّل الدخول بها.",
    "person.merge": "دمج شخص آخر في هذا الشخص",
    "person.merge_other": "رقم الشخص الآخر",
    "person.merge_submit": "دمج",
    "person.done.merge": "دُمج الشخصان؛ الدمج مسجّل في سجل التدقيق ويمكن التراجع عنه.",
    "review.not_proposed": (
        "لا يُبتّ هنا إلا في الأزواج المقترحة للمراجعة أو في سجلات شخص واحد؛ "
        "لضمّ شخصين ادمجهما من صفحة أحدهما."
    ),
}
