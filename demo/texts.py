"""Ticket texts of the demo, written for it: (language, sub-category slug, subject, body).

Placeholders ({order}, {amount}, {invoice}, {version}, {device}, {day}, {tracking}, {code}) are
filled per ticket so no two demo tickets read exactly alike."""

TICKETS = {
    "billing": [
        (
            "en",
            "refund",
            "Refund for order {order}",
            "Hi, I cancelled order {order} on {day} but the {amount} EUR have not come back to my card. "
            "Could you check when the refund will arrive?",
        ),
        (
            "en",
            "payment-failed",
            "Card declined when upgrading to Pro",
            "Every time I try to upgrade to the Pro plan the payment fails with 'card declined', but "
            "the card works everywhere else. Tried twice today on my {device}.",
        ),
        (
            "en",
            "invoice",
            "Need a corrected invoice with our VAT number",
            "Invoice {invoice} is missing our company VAT ID. Please send a corrected invoice for our "
            "accounting, the amount was {amount} EUR.",
        ),
        (
            "en",
            "payment-failed",
            "I was charged twice this month",
            "My bank statement shows two charges of {amount} EUR for the same subscription on {day}. "
            "Please refund the duplicate.",
        ),
        (
            "en",
            "refund",
            "Chargeback notice from my bank",
            "My bank opened a chargeback for a payment of {amount} EUR I did not recognise. Can you "
            "tell me what this charge was for before I confirm it?",
        ),
        (
            "en",
            "invoice",
            "Where can I download my invoices?",
            "I need all invoices from this year for my tax return. I cannot find a download button in "
            "the billing settings.",
        ),
        (
            "de",
            "refund",
            "Rückerstattung für Bestellung {order}",
            "Hallo, ich habe die Bestellung {order} am {day} storniert, aber die {amount} EUR wurden "
            "noch nicht zurückgebucht. Wann kann ich mit der Erstattung rechnen?",
        ),
        (
            "de",
            "payment-failed",
            "Zahlung wird immer abgelehnt",
            "Beim Wechsel auf den Jahrestarif wird meine Kreditkarte jedes Mal abgelehnt. Die Karte "
            "ist gültig. Was kann ich tun?",
        ),
        (
            "de",
            "invoice",
            "Rechnung {invoice} mit falscher Adresse",
            "Auf der Rechnung {invoice} steht noch unsere alte Firmenadresse. Bitte schicken Sie uns "
            "eine korrigierte Rechnung.",
        ),
        (
            "de",
            "payment-failed",
            "Abo doppelt abgebucht",
            "Mir wurden am {day} zweimal {amount} EUR für dasselbe Abo abgebucht. Bitte erstatten Sie "
            "die doppelte Abbuchung.",
        ),
    ],
    "technical": [
        (
            "en",
            "api-error",
            "API returns 500 on /v2/orders",
            "Since {day} our integration gets HTTP 500 from the orders endpoint for about one in ten "
            "requests. Request id {code}. This is blocking our nightly sync.",
        ),
        (
            "en",
            "performance",
            "Dashboard extremely slow",
            "The reports dashboard takes more than 30 seconds to load for our team since the last "
            "update. Other pages are fine.",
        ),
        (
            "en",
            "data-export",
            "CSV export is missing columns",
            "The customer export only contains name and e-mail, the custom fields we added are "
            "missing. We need them for a migration.",
        ),
        (
            "en",
            "api-error",
            "Webhook deliveries failing with timeout",
            "Our endpoint is up, but your webhook log shows timeouts for every delivery since "
            "{day}. Could you check from your side?",
        ),
        (
            "en",
            "performance",
            "System down for our whole team",
            "Nobody in our company can load the web app, it just spins. This started 20 minutes ago. "
            "Error reference {code}.",
        ),
        (
            "en",
            "data-export",
            "How do I export all my data?",
            "I want a full export of my account data (GDPR request). Where do I start this?",
        ),
        (
            "de",
            "api-error",
            "API-Schlüssel funktioniert nicht mehr",
            "Seit {day} bekommen wir mit unserem API-Schlüssel nur noch 401 Unauthorized. Wir haben "
            "nichts geändert. Referenz {code}.",
        ),
        (
            "de",
            "performance",
            "Seite lädt sehr langsam",
            "Die Weboberfläche ist seit gestern extrem langsam, jede Aktion dauert mehrere Sekunden.",
        ),
        (
            "de",
            "data-export",
            "Datenexport bricht ab",
            "Der Export unserer Kundendaten bricht nach etwa der Hälfte mit einem Fehler ab.",
        ),
        (
            "de",
            "api-error",
            "Geht gar nichts mehr nach dem Update",
            "Nach dem Update heute früh geht gar nichts mehr, die Synchronisation meldet nur noch "
            "Fehler {code}.",
        ),
    ],
    "account-access": [
        (
            "en",
            "password-reset",
            "Password reset e-mail never arrives",
            "I requested a password reset three times, but the e-mail never arrives (checked spam).",
        ),
        (
            "en",
            "two-factor",
            "Lost my phone, cannot pass two-factor",
            "My phone was stolen and with it my authenticator app. How can I get back into my account?",
        ),
        (
            "en",
            "locked-account",
            "Account locked after too many attempts",
            "My account says it is locked after too many login attempts. I need access today for a "
            "client meeting.",
        ),
        (
            "en",
            "locked-account",
            "I think my account was hacked",
            "I got an e-mail that my address was changed, but I did not do that. Account hacked? "
            "Please lock it and help me get it back.",
        ),
        (
            "en",
            "password-reset",
            "Cannot log in at all",
            "Cannot log in at all, neither on the web nor in the app. It says my password is wrong "
            "even after resetting it.",
        ),
        (
            "de",
            "password-reset",
            "Passwort zurücksetzen funktioniert nicht",
            "Der Link zum Zurücksetzen des Passworts ist jedes Mal abgelaufen, wenn ich ihn öffne.",
        ),
        (
            "de",
            "two-factor",
            "Zwei-Faktor-Code wird nicht akzeptiert",
            "Der Code aus meiner Authenticator-App wird immer als falsch abgelehnt. Die Uhrzeit auf "
            "dem Handy stimmt.",
        ),
        (
            "de",
            "locked-account",
            "Konto gesperrt",
            "Mein Konto wurde gesperrt und ich weiß nicht warum. Bitte entsperren Sie es.",
        ),
    ],
    "mobile-app": [
        (
            "en",
            "app-crash",
            "App crashes on checkout",
            "The app closes as soon as I tap 'Pay' on the checkout screen. {device}, app version "
            "{version}.",
        ),
        (
            "en",
            "notifications",
            "No push notifications anymore",
            "Since updating to {version} I don't get any push notifications, although they are "
            "enabled in the settings of my {device}.",
        ),
        (
            "en",
            "sync",
            "Changes on the phone don't show on the web",
            "Items I add in the app on my {device} don't show up on the website, even hours later.",
        ),
        (
            "en",
            "app-crash",
            "App freezes on startup",
            "After the latest update the app shows the splash screen and then freezes. Reinstalling "
            "did not help. {device}, {version}.",
        ),
        (
            "en",
            "sync",
            "Offline changes lost",
            "I edited my lists offline on a flight and when I reconnected everything was gone. Data "
            "loss is a big problem for me.",
        ),
        (
            "de",
            "app-crash",
            "App stürzt beim Öffnen ab",
            "Die App stürzt seit dem Update auf {version} sofort beim Öffnen ab. Gerät: {device}.",
        ),
        (
            "de",
            "notifications",
            "Keine Benachrichtigungen auf dem Handy",
            "Ich bekomme keine Push-Benachrichtigungen mehr, obwohl sie aktiviert sind ({device}).",
        ),
        (
            "de",
            "sync",
            "Synchronisation hängt",
            "Die App zeigt seit zwei Tagen 'Synchronisiere…' an und nichts passiert.",
        ),
    ],
    "shipping": [
        (
            "en",
            "delivery-delay",
            "Order {order} still not delivered",
            "My order {order} was supposed to arrive on {day}. The tracking number {tracking} has "
            "not updated for four days.",
        ),
        (
            "en",
            "damaged-item",
            "Parcel arrived damaged",
            "The box of order {order} was crushed and the item inside is broken. Photos attached.",
        ),
        (
            "en",
            "returns",
            "How do I return an item?",
            "I would like to return one item from order {order}. Do I need a return label?",
        ),
        (
            "en",
            "delivery-delay",
            "Wrong delivery address",
            "I made a typo in the street name for order {order}. Can you still change the address?",
        ),
        (
            "en",
            "returns",
            "Refund after return not received",
            "I sent back order {order} two weeks ago (tracking {tracking}), but no refund yet.",
        ),
        (
            "de",
            "delivery-delay",
            "Paket {tracking} kommt nicht an",
            "Meine Bestellung {order} sollte am {day} geliefert werden, die Sendungsverfolgung "
            "{tracking} zeigt seit Tagen keinen neuen Status.",
        ),
        (
            "de",
            "damaged-item",
            "Ware beschädigt angekommen",
            "Das Paket zur Bestellung {order} war beschädigt und der Artikel ist kaputt.",
        ),
        (
            "de",
            "returns",
            "Rücksendung beantragen",
            "Ich möchte einen Artikel aus der Bestellung {order} zurückschicken. Wie geht das?",
        ),
    ],
}

# Vague tickets that routing cannot place: they land in triage.
TRIAGE = [
    ("en", "Question", "Hi, I have a question about my account and my last order, please call me."),
    ("en", "Help", "It doesn't work. Please help."),
    ("en", "Feedback", "Just wanted to say the new design is confusing. Where did everything go?"),
    ("de", "Frage", "Hallo, ich habe eine Frage, bitte melden Sie sich bei mir."),
    ("de", "Hilfe", "Es funktioniert nicht. Bitte um Rückruf."),
]

AGENT_REPLIES = {
    "en": [
        "Thanks for reaching out, I'm looking into this now and will get back to you shortly.",
        "Thanks for the details. I've checked your account and can see the problem.",
        "Sorry for the trouble! Could you tell me which app version and device you are using?",
    ],
    "de": [
        "Vielen Dank für Ihre Nachricht, ich kümmere mich sofort darum.",
        "Danke für die Details. Ich habe Ihr Konto geprüft und sehe das Problem.",
        "Entschuldigen Sie die Unannehmlichkeiten! Welche App-Version nutzen Sie?",
    ],
}
AGENT_ASKS = {
    "en": "Could you send us a screenshot of the error and the time it happened?",
    "de": "Könnten Sie uns einen Screenshot des Fehlers und die Uhrzeit schicken?",
}
CUSTOMER_REPLIES = {
    "en": [
        "Here you go, it happened around 10am.",
        "Thanks, that worked!",
        "It's still not working, unfortunately.",
    ],
    "de": [
        "Anbei der Screenshot, es war gegen 10 Uhr.",
        "Danke, jetzt geht es!",
        "Leider funktioniert es immer noch nicht.",
    ],
}
CUSTOMER_REOPENS = {
    "en": "Sorry, but this is happening again since this morning.",
    "de": "Leider tritt das Problem seit heute Morgen wieder auf.",
}
AGENT_RESOLUTIONS = {
    "en": "This is fixed now on our side. Let us know if anything else comes up!",
    "de": "Das Problem ist jetzt auf unserer Seite behoben. Melden Sie sich gern bei weiteren Fragen!",
}
INTERNAL_NOTES = [
    "Checked the logs: matches the known issue from last week.",
    "Escalating to second level, needs a ledger correction.",
    "Customer is on an enterprise contract, keep them posted.",
]

DEVICES = ["iPhone 15", "iPhone 12", "Pixel 8", "Samsung Galaxy S23", "iPad Air", "OnePlus 11"]
SCREENS = ["checkout", "home", "settings", "login", "order_detail", "cart", "profile"]
SESSION_EVENTS = [
    "app_open",
    "view_home",
    "tap_cart",
    "view_checkout",
    "tap_pay",
    "error_shown",
    "view_settings",
    "toggle_notifications",
    "login_failed",
    "sync_started",
]
