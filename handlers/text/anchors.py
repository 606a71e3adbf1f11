"""Labelled reference sentences, written for Sayso in each shipped language: part of the sentiment
head's training sentences (`handlers.text.training`), and with the topics the text from which
each language's mean direction is measured (`TextModel.centred`). Until the head they were the
whole method (a comment scored by the nearest of them; `bench/text_model.py` keeps that as the
baseline). None of them is a test comment (tests/data)."""

from __future__ import annotations

ANCHORS: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": [
            "I am very satisfied with the service.",
            "The staff were helpful and friendly.",
            "My issue was resolved quickly.",
            "Excellent support, thank you so much.",
            "Everything worked perfectly.",
            "Great experience, I would recommend you.",
            "The agent was polite and knew what to do.",
            "Thank you, I am happy with the help.",
        ],
        "negative": [
            "I am very unhappy with the service.",
            "The staff were rude and unhelpful.",
            "My issue is still not resolved.",
            "Terrible support, a waste of time.",
            "I waited far too long for an answer.",
            "Bad experience, I will not come back.",
            "Nobody helped me and nobody called back.",
            "I am angry and disappointed.",
        ],
        "neutral": [
            "I called about my account.",
            "I asked a question about my order.",
            "The agent took my details.",
            "It was okay.",
            "I have an appointment next week.",
            "I sent the documents by email.",
        ],
    },
    "ur": {
        "positive": [
            "میں سروس سے بہت مطمئن ہوں۔",
            "عملہ مددگار اور خوش اخلاق تھا۔",
            "میرا مسئلہ جلدی حل ہو گیا۔",
            "بہترین مدد، بہت شکریہ۔",
            "سب کچھ بالکل ٹھیک کام کر رہا ہے۔",
            "بہت اچھا تجربہ، میں دوسروں کو بھی مشورہ دوں گا۔",
            "ایجنٹ مہذب تھا اور اسے معلوم تھا کہ کیا کرنا ہے۔",
            "شکریہ، میں مدد سے خوش ہوں۔",
        ],
        "negative": [
            "میں سروس سے بہت ناخوش ہوں۔",
            "عملہ بدتمیز تھا اور کوئی مدد نہیں کی۔",
            "میرا مسئلہ ابھی تک حل نہیں ہوا۔",
            "بہت بری سروس، وقت کا ضیاع۔",
            "مجھے جواب کے لیے بہت زیادہ انتظار کرنا پڑا۔",
            "برا تجربہ، میں دوبارہ نہیں آؤں گا۔",
            "کسی نے مدد نہیں کی اور کسی نے واپس فون نہیں کیا۔",
            "میں ناراض اور مایوس ہوں۔",
        ],
        "neutral": [
            "میں نے اپنے اکاؤنٹ کے بارے میں فون کیا۔",
            "میں نے اپنے آرڈر کے بارے میں سوال پوچھا۔",
            "ایجنٹ نے میری تفصیلات لیں۔",
            "ٹھیک ہی تھا۔",
            "اگلے ہفتے میری ملاقات ہے۔",
            "میں نے کاغذات ای میل سے بھیجے۔",
        ],
    },
    "hi": {
        "positive": [
            "मैं सेवा से बहुत संतुष्ट हूँ।",
            "कर्मचारी मददगार और विनम्र थे।",
            "मेरी समस्या जल्दी हल हो गई।",
            "बेहतरीन सहायता, बहुत धन्यवाद।",
            "सब कुछ बिल्कुल ठीक काम कर रहा है।",
            "बहुत अच्छा अनुभव, मैं दूसरों को भी सलाह दूँगा।",
            "एजेंट विनम्र था और उसे पता था कि क्या करना है।",
            "धन्यवाद, मैं मदद से खुश हूँ।",
        ],
        "negative": [
            "मैं सेवा से बहुत नाखुश हूँ।",
            "कर्मचारी बदतमीज़ थे और कोई मदद नहीं की।",
            "मेरी समस्या अभी तक हल नहीं हुई।",
            "बहुत खराब सहायता, समय की बर्बादी।",
            "मुझे जवाब के लिए बहुत ज़्यादा इंतज़ार करना पड़ा।",
            "बुरा अनुभव, मैं दोबारा नहीं आऊँगा।",
            "किसी ने मदद नहीं की और किसी ने वापस फ़ोन नहीं किया।",
            "मैं नाराज़ और निराश हूँ।",
        ],
        "neutral": [
            "मैंने अपने खाते के बारे में फ़ोन किया।",
            "मैंने अपने ऑर्डर के बारे में सवाल पूछा।",
            "एजेंट ने मेरी जानकारी ली।",
            "ठीक ही था।",
            "अगले हफ़्ते मेरी मुलाक़ात है।",
            "मैंने दस्तावेज़ ईमेल से भेजे।",
        ],
    },
    "hu": {
        "positive": [
            "Nagyon elégedett vagyok a szolgáltatással.",
            "A munkatársak segítőkészek és kedvesek voltak.",
            "A problémámat gyorsan megoldották.",
            "Kiváló ügyfélszolgálat, nagyon köszönöm.",
            "Minden tökéletesen működött.",
            "Nagyszerű élmény, mindenkinek ajánlom.",
            "Az ügyintéző udvarias volt és tudta, mit kell tenni.",
            "Köszönöm, elégedett vagyok a segítséggel.",
        ],
        "negative": [
            "Nagyon elégedetlen vagyok a szolgáltatással.",
            "A munkatársak gorombák voltak és nem segítettek.",
            "A problémám még mindig nincs megoldva.",
            "Szörnyű ügyfélszolgálat, időpocsékolás.",
            "Túl sokáig kellett várnom a válaszra.",
            "Rossz élmény, nem jövök vissza.",
            "Senki nem segített és senki nem hívott vissza.",
            "Dühös és csalódott vagyok.",
        ],
        "neutral": [
            "A fiókom miatt telefonáltam.",
            "Kérdést tettem fel a rendelésemről.",
            "Az ügyintéző felvette az adataimat.",
            "Elment.",
            "Jövő héten időpontom van.",
            "E-mailben küldtem el a dokumentumokat.",
        ],
    },
}
