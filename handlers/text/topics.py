"""Common support topics, named in each shipped language: the model's own vocabulary for naming a
theme whose members share no word in one language (one complaint written in four). A term is
chosen by its nearness to the theme, so the label never quotes anyone's suggestion."""

from __future__ import annotations

TOPICS: dict[str, list[str]] = {
    "en": ["refund", "waiting time", "phone queue", "opening hours", "weekend opening", "mobile app",
           "app crashes", "login problems", "rude staff", "staff attitude", "parking", "prices", "fees",
           "delivery", "late delivery", "lost parcel", "billing", "double charge", "website", "cleanliness",
           "noise", "queue at the counter", "documents", "password", "internet connection", "repairs",
           "appointments", "language support", "accessibility", "payment options"],
    "ur": ["رقم کی واپسی", "انتظار کا وقت", "فون کی قطار", "کھلنے کے اوقات", "ہفتے کے آخر میں کھلنا", "موبائل ایپ",
           "ایپ کا بند ہونا", "لاگ ان کے مسائل", "بدتمیز عملہ", "عملے کا رویہ", "پارکنگ", "قیمتیں", "فیس",
           "ڈیلیوری", "دیر سے ڈیلیوری", "گمشدہ پارسل", "بل", "دوہری کٹوتی", "ویب سائٹ", "صفائی",
           "شور", "کاؤنٹر پر قطار", "کاغذات", "پاس ورڈ", "انٹرنیٹ کنکشن", "مرمت",
           "ملاقات کا وقت", "زبان کی سہولت", "رسائی", "ادائیگی کے طریقے"],
    "hi": ["रिफंड", "इंतज़ार का समय", "फ़ोन की कतार", "खुलने का समय", "सप्ताहांत पर खुलना", "मोबाइल ऐप",
           "ऐप का बंद होना", "लॉगिन की समस्या", "बदतमीज़ कर्मचारी", "कर्मचारियों का व्यवहार", "पार्किंग", "कीमतें",
           "शुल्क", "डिलीवरी", "देर से डिलीवरी", "खोया हुआ पार्सल", "बिल", "दोहरा शुल्क", "वेबसाइट", "सफ़ाई",
           "शोर", "काउंटर पर कतार", "दस्तावेज़", "पासवर्ड", "इंटरनेट कनेक्शन", "मरम्मत",
           "अपॉइंटमेंट", "भाषा सहायता", "सुलभता", "भुगतान के तरीके"],
    "hu": ["visszatérítés", "várakozási idő", "telefonos sor", "nyitvatartás", "hétvégi nyitvatartás",
           "mobilalkalmazás", "összeomló alkalmazás", "bejelentkezési gondok", "goromba személyzet",
           "a személyzet hozzáállása", "parkolás", "árak", "díjak", "szállítás", "késő szállítás",
           "elveszett csomag", "számlázás", "dupla terhelés", "weboldal", "tisztaság", "zaj",
           "sor a pultnál", "iratok", "jelszó", "internetkapcsolat", "javítás", "időpontok",
           "nyelvi segítség", "akadálymentesség", "fizetési módok"],
}  # fmt: skip
