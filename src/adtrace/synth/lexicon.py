"""Parallel English/French word lists the sentence patterns draw from.

Each list holds (English, French) pairs: a template draws an index once and renders it in
either language, so an operator's English and French copies say the same thing. French is
Quebec usage (feminine agreement: the personas are women).
"""

from __future__ import annotations

Pairs = tuple[tuple[str, str], ...]

# fmt: off
ADJ: Pairs = (
    ("sweet", "douce"), ("sexy", "sexy"), ("gorgeous", "magnifique"), ("playful", "coquine"),
    ("classy", "classe"), ("bubbly", "pétillante"), ("charming", "charmante"),
    ("cute", "mignonne"), ("passionate", "passionnée"), ("curvy", "pulpeuse"),
    ("petite", "petite"), ("slim", "mince"), ("tall", "grande"), ("discreet", "discrète"),
    ("stunning", "superbe"), ("elegant", "élégante"), ("friendly", "sympathique"),
    ("warm", "chaleureuse"), ("exotic", "exotique"), ("beautiful", "belle"),
    ("open-minded", "ouverte d'esprit"), ("easygoing", "relax"), ("fun", "drôle"),
    ("naughty", "espiègle"), ("genuine", "authentique"), ("down to earth", "terre à terre"),
    ("adventurous", "aventureuse"), ("caring", "attentionnée"), ("flirty", "charmeuse"),
    ("sophisticated", "raffinée"), ("fit", "en forme"), ("athletic", "athlétique"),
    ("natural", "naturelle"), ("tanned", "bronzée"), ("sensual", "sensuelle"),
    ("respectful", "respectueuse"), ("smart", "intelligente"), ("sassy", "taquine"),
    ("mysterious", "mystérieuse"), ("seductive", "séduisante"), ("irresistible", "irrésistible"),
)
NOUN: Pairs = (
    ("girl", "fille"), ("lady", "femme"), ("beauty", "beauté"), ("doll", "poupée"),
    ("babe", "bombe"), ("princess", "princesse"), ("goddess", "déesse"),
    ("sweetheart", "chérie"), ("companion", "compagne"), ("treasure", "perle"),
    ("muse", "muse"), ("queen", "reine"), ("cutie", "cutie"), ("temptress", "tentatrice"),
)
EXP: Pairs = (
    ("a real GFE", "un vrai GFE"), ("a relaxing massage", "un massage relaxant"),
    ("good company", "de la bonne compagnie"), ("an unforgettable time", "un moment inoubliable"),
    ("romantic dinner dates", "des soupers romantiques"), ("quality time", "du temps de qualité"),
    ("a sensual massage", "un massage sensuel"), ("overnights", "des nuits complètes"),
    ("duo sessions", "des duos"), ("couples sessions", "des rencontres en couple"),
    ("travel companionship", "de l'accompagnement en voyage"),
    ("a girlfriend experience", "une expérience de blonde"),
    ("a stress-free escape", "une pause sans stress"), ("body rubs", "des body rubs"),
    ("the full experience", "l'expérience complète"),
    ("a late night visit", "une visite de fin de soirée"),
)
PLACE: Pairs = (
    ("in my private condo", "dans mon condo privé"),
    ("in a clean upscale hotel", "dans un hôtel propre et chic"),
    ("downtown", "au centre-ville"), ("near the airport", "près de l'aéroport"),
    ("at my place", "chez moi"),
    ("in a safe and discreet location", "dans un endroit sécuritaire et discret"),
    ("close to the highway", "proche de l'autoroute"), ("near the subway", "près du métro"),
    ("by the mall", "près du centre d'achats"), ("in a quiet area", "dans un coin tranquille"),
    ("with free parking", "avec stationnement gratuit"), ("near the casino", "près du casino"),
)
TIME: Pairs = (
    ("24/7", "24/7"), ("day and night", "jour et nuit"), ("late nights", "tard le soir"),
    ("all weekend", "toute la fin de semaine"), ("today only", "aujourd'hui seulement"),
    ("this week only", "cette semaine seulement"), ("until Sunday", "jusqu'à dimanche"),
    ("from noon till late", "de midi jusqu'à tard"), ("early mornings", "tôt le matin"),
    ("right now", "maintenant"), ("for a few days", "pour quelques jours"),
    ("all night", "toute la nuit"),
)
CALL: Pairs = (
    ("Call or text", "Appelle ou texte"), ("Text me", "Texte-moi"), ("Call me", "Appelle-moi"),
    ("Text only", "Texto seulement"), ("Message me", "Écris-moi"), ("Hit me up", "Contacte-moi"),
    ("Reach me", "Rejoins-moi"), ("Txt", "Txt"),
)
FEEL: Pairs = (
    ("relaxed", "détendu"), ("special", "spécial"), ("like a king", "comme un roi"),
    ("completely satisfied", "complètement satisfait"), ("right at home", "comme à la maison"),
    ("ten years younger", "dix ans plus jeune"), ("spoiled", "gâté"), ("brand new", "comme neuf"),
)
GENT: Pairs = (
    ("gentlemen", "messieurs"), ("guys", "les gars"), ("boys", "les boys"),
    ("respectful men", "hommes respectueux"), ("mature gentlemen", "gentlemen matures"),
    ("professionals", "professionnels"), ("my loves", "mes amours"), ("handsome", "beau mec"),
)
JOB: Pairs = (
    ("a nursing student", "étudiante en soins infirmiers"),
    ("a university student", "étudiante à l'université"), ("a yoga teacher", "prof de yoga"),
    ("a hairdresser", "coiffeuse"), ("a barista", "barista"), ("an artist", "artiste"),
    ("a dancer", "danseuse"), ("a makeup artist", "maquilleuse"), ("a model", "mannequin"),
    ("a bookkeeper", "comptable"), ("a personal trainer", "entraîneuse"),
    ("a photographer", "photographe"), ("an esthetician", "esthéticienne"),
    ("a waitress", "serveuse"), ("a grad student", "étudiante à la maîtrise"),
)
HOBBY: Pairs = (
    ("hiking", "la randonnée"), ("cooking", "cuisiner"), ("good wine", "le bon vin"),
    ("road trips", "les road trips"), ("sushi", "les sushis"),
    ("Netflix nights", "les soirées Netflix"), ("the gym", "le gym"), ("dancing", "danser"),
    ("reading", "lire"), ("karaoke", "le karaoké"), ("hockey games", "les games de hockey"),
    ("camping", "le camping"), ("painting", "la peinture"), ("yoga", "le yoga"),
    ("shopping", "le magasinage"), ("live music", "la musique live"), ("poutine", "la poutine"),
    ("cats", "les chats"), ("video games", "les jeux vidéo"), ("thrift stores", "les friperies"),
)
PASTIME: Pairs = (
    ("at the gym", "au gym"), ("on a patio", "sur une terrasse"), ("at the spa", "au spa"),
    ("in the kitchen", "dans la cuisine"), ("on the ski hills", "sur les pentes de ski"),
    ("by the lake", "au bord du lac"), ("at a show", "à un show"), ("at the beach", "à la plage"),
    ("in a bookstore", "dans une librairie"), ("at the market", "au marché"),
    ("at a hockey game", "à une game de hockey"), ("at the dog park", "au parc à chiens"),
)
MOOD: Pairs = (
    ("in a good mood", "de bonne humeur"), ("feeling playful", "d'humeur coquine"),
    ("a bit lonely", "un peu seule"), ("full of energy", "pleine d'énergie"),
    ("relaxed", "relax"), ("curious", "curieuse"), ("bored", "tannée"), ("inspired", "inspirée"),
)
COMPANY: Pairs = (
    ("good company", "de la bonne compagnie"), ("a gentleman", "un gentleman"),
    ("someone fun", "quelqu'un d'agréable"), ("a new friend", "un nouvel ami"),
    ("a generous man", "un homme généreux"), ("someone respectful", "quelqu'un de respectueux"),
    ("a regular", "un régulier"), ("a travel buddy", "un compagnon de voyage"),
)
DRINK: Pairs = (
    ("red wine", "du vin rouge"), ("champagne", "du champagne"), ("iced coffee", "un café glacé"),
    ("margaritas", "des margaritas"), ("bubble tea", "un bubble tea"),
    ("craft beer", "une bière de microbrasserie"), ("mojitos", "des mojitos"),
    ("sangria", "de la sangria"), ("a Caesar", "un Caesar"), ("rosé", "du rosé"),
)
GIFT: Pairs = (
    ("flowers", "des fleurs"), ("chocolate", "du chocolat"), ("a coffee", "un café"),
    ("sushi", "des sushis"), ("a good bottle", "une bonne bouteille"), ("macarons", "des macarons"),
)
MUSIC: Pairs = (
    ("jazz", "jazz"), ("R&B", "R&B"), ("country", "country"), ("hip hop", "hip-hop"),
    ("indie rock", "rock indie"), ("old school soul", "vieux soul"), ("reggaeton", "reggaeton"),
    ("pop", "pop"), ("house music", "house"),
)
SEASON: Pairs = (
    ("summer nights", "les soirs d'été"), ("snowy evenings", "les soirées de neige"),
    ("rainy Sundays", "les dimanches de pluie"), ("long weekends", "les longues fins de semaine"),
    ("sunny patios", "les terrasses au soleil"), ("fall colours", "les couleurs d'automne"),
)
VIBE: Pairs = (
    ("a slow and sensual vibe", "une ambiance lente et sensuelle"),
    ("laughs and good conversation", "des rires et une bonne jase"),
    ("no rush, no pressure", "pas de rush, pas de pression"),
    ("candles and soft music", "des chandelles et de la musique douce"),
    ("a real connection", "une vraie connexion"), ("mutual respect", "le respect mutuel"),
)
LISTS: dict[str, Pairs] = {
    "adj": ADJ, "noun": NOUN, "exp": EXP, "place": PLACE, "time": TIME, "call": CALL,
    "feel": FEEL, "gent": GENT, "job": JOB, "hobby": HOBBY, "pastime": PASTIME, "mood": MOOD,
    "company": COMPANY, "drink": DRINK, "gift": GIFT, "music": MUSIC, "season": SEASON,
    "vibe": VIBE,
}

# Persona description: ethnicity (stated ethnicity is indicator A05) and, for some, a look.
DESC: Pairs = (
    ("Asian", "asiatique"), ("Latina", "latina"), ("Ebony", "black"), ("Mixed", "métisse"),
    ("European", "européenne"), ("Russian", "russe"), ("Brazilian", "brésilienne"),
    ("Colombian", "colombienne"), ("Filipina", "philippine"), ("Korean", "coréenne"),
    ("Japanese", "japonaise"), ("Italian", "italienne"), ("Spanish", "espagnole"),
    ("Haitian", "haïtienne"), ("Arabic", "arabe"), ("Ukrainian", "ukrainienne"),
    ("French", "française"), ("Quebecoise", "québécoise"), ("Canadian", "canadienne"),
    ("Exotic", "exotique"),
)
LOOK: Pairs = (
    ("Blonde", "blonde"), ("Brunette", "brunette"), ("Redhead", "rousse"), ("Petite", "petite"),
    ("Curvy", "pulpeuse"), ("Thick", "ronde"), ("Tall", "grande"), ("Slim", "mince"),
)

NAMES: tuple[str, ...] = (
    "Jessica", "Ashley", "Amber", "Brittany", "Candy", "Chloé", "Crystal", "Destiny", "Diamond",
    "Emma", "Gabrielle", "Isabelle", "Jade", "Jasmine", "Kayla", "Kiki", "Lana", "Lily", "Luna",
    "Maya", "Mia", "Mélodie", "Nikki", "Océane", "Paris", "Rose", "Roxanne", "Ruby", "Sabrina",
    "Sasha", "Sophie", "Stella", "Summer", "Tiffany", "Valentina", "Vanessa", "Victoria", "Zoé",
    "Camille", "Léa", "Chanel", "Bella", "Angel", "Alexa", "Alicia", "Amélie", "Anaïs", "Aria",
    "Aurélie", "Bianca", "Brooke", "Carmen", "Cassie", "Charlotte", "Coco", "Daisy", "Eden",
    "Elena", "Eva", "Fiona", "Gigi", "Hailey", "Honey", "Ivy", "Jenna", "Jolie", "Julia", "Karma",
    "Katia", "Kelly", "Layla", "Lexi", "Lola", "Lucy", "Madison", "Maeva", "Marie", "Megan",
    "Mila", "Misty", "Monica", "Nadia", "Naomi", "Natasha", "Nina", "Noémie", "Olivia", "Paige",
    "Penny", "Raven", "Rosalie", "Sakura", "Samantha", "Sarah", "Selena", "Sienna", "Skye",
    "Star", "Sydney", "Tanya", "Tatiana", "Tessa", "Trinity", "Vicky", "Violet", "Yuki", "Zara",
    "Maëlle", "Élodie", "Joëlle", "Mégane", "Ariane", "Justine", "Laurie", "Kim", "Mimi", "Lina",
    "Sofia", "Daniela", "Ximena", "Yasmine", "Amira", "Kiara", "Nia", "Imani", "Anya", "Dasha",
)

# The genre's stock phrases, most common first (drawn with Zipf-like weights), English and
# French in parallel. They are what makes unrelated ads look alike.
STOCK: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("100% real pics", "no blocked calls", "no rush", "real pics only", "satisfaction guaranteed",
     "clean and discreet", "upscale service", "no games no drama", "serious inquiries only",
     "text only, no calls", "no private numbers", "available 24/7", "ready now", "incall/outcall",
     "respectful gentlemen only", "ask about specials", "limited time only", "hygiene is a must",
     "what you see is what you get", "new pics", "in town for a limited time",
     "no explicit talk via text", "will not respond to blocked numbers",
     "all nationalities welcome", "discreet parking", "cash only", "no LE", "VIP service",
     "first time in town", "always safe", "open late", "don't miss out", "verified", "GFE",
     "no deposit needed", "last days"),
    ("photos 100% réelles", "pas de numéros bloqués", "pas pressée", "vraies photos seulement",
     "satisfaction garantie", "propre et discrète", "service haut de gamme", "pas de niaisage",
     "sérieux seulement", "texto seulement, pas d'appels", "pas de numéro privé",
     "disponible 24/7", "prête maintenant", "incall/outcall", "gentlemen respectueux seulement",
     "demande pour les spéciaux", "pour un temps limité", "hygiène obligatoire",
     "ce que tu vois c'est ce que tu as", "nouvelles photos", "en ville pour peu de temps",
     "on parle pas de détails par texto", "je réponds pas aux numéros bloqués",
     "toutes nationalités bienvenues", "stationnement discret", "argent comptant seulement",
     "pas de police", "service VIP", "première fois en ville", "toujours sécuritaire",
     "ouverte tard", "manque pas ta chance", "vérifiée", "GFE", "pas de dépôt", "derniers jours"),
)

# Word swaps used by the per-copy edits (keys are lower case, without punctuation).
SYNONYMS: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = (
    {
        "sweet": ("lovely", "cute", "sweeet"), "sexy": ("hot", "sexxy", "seductive"),
        "gorgeous": ("stunning", "beautiful", "pretty"),
        "available": ("avail", "availible", "here"),
        "call": ("phone", "ring"), "text": ("txt", "msg"), "girl": ("gurl", "chick", "lady"),
        "beautiful": ("gorgeous", "pretty", "lovely"), "new": ("brand new", "fresh", "NEW"),
        "real": ("genuine", "authentic", "legit"), "discreet": ("discrete", "private"),
        "pics": ("photos", "pictures"), "gentlemen": ("gents", "guys", "men"),
        "now": ("right now", "today", "tonight"), "very": ("super", "really", "so"),
        "and": ("&", "n", "+"), "you": ("u", "ya"), "your": ("ur", "yr"), "with": ("w/", "wit"),
        "for": ("4", "fer"), "to": ("2",), "time": ("moment", "experience"),
        "hotel": ("hotels", "hotel room"), "special": ("promo", "deal"),
        "incall": ("in-call", "in call"), "outcall": ("out-call", "out call"),
        "please": ("pls", "plz"), "tonight": ("2nite", "tonite"), "great": ("gr8", "amazing"),
        "love": ("luv", "adore"), "i'm": ("im", "Im", "I am"), "don't": ("dont", "do not"),
        "town": ("city", "the city"), "book": ("reserve", "schedule"), "meet": ("see", "visit"),
        "my": ("mi", "ma"), "only": ("ONLY", "just", "strictly"), "good": ("gud", "great"),
        "am": ("m",), "the": ("da", "teh"), "at": ("@",), "in": ("@", "inside"),
    },
    {
        "douce": ("gentille", "mignonne", "sucrée"), "très": ("super", "vraiment", "full"),
        "disponible": ("dispo", "disponibles", "libre"), "appelle": ("call", "appel"),
        "texte": ("texto", "txt", "message"), "fille": ("girl", "chick", "poupée"),
        "belle": ("jolie", "magnifique", "superbe"), "nouvelle": ("new", "toute nouvelle"),
        "vraie": ("réelle", "authentique"), "discrète": ("discrete", "discret"),
        "photos": ("pics", "photo", "images"), "messieurs": ("gentlemen", "les gars", "hommes"),
        "maintenant": ("tout de suite", "ce soir", "aujourd'hui"), "et": ("&", "pis", "+"),
        "tu": ("t'", "toi"), "avec": ("avc", "w/"), "pour": ("pr", "pour toi"),
        "moment": ("temps", "expérience"), "spécial": ("promo", "deal"),
        "bientôt": ("bientot", "tantôt"), "je": ("j'", "moi je"), "suis": ("sui", "suis là"),
        "ville": ("place", "région"), "soir": ("soirée", "nuit"),
        "centre-ville": ("downtown", "centre ville"), "aujourd'hui": ("auj", "aujourdhui"),
        "seulement": ("slm", "juste"), "bisous": ("xoxo", "xx", "kiss"), "à": ("a",),
        "de": ("d'", "du"), "une": ("1", "la"), "mon": ("ma", "le"), "pas": ("pa", "jamais"),
        "hôtel": ("hotel", "hôtels"), "sécuritaire": ("sécure", "safe"),
    },
)
FILLERS: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("really", "so", "super", "very", "just", "xoxo", "babe", "hun", "totally", "honestly",
     "100%", "yes", "lol", "omg", "literally"),
    ("vraiment", "super", "full", "genre", "là", "tsé", "xoxo", "bébé", "chéri", "sérieux",
     "100%", "oui", "lol", "mets-en", "pas mal"),
)
MARKS: tuple[str, ...] = ("!", "!!", "!!!", "...", "..", "~", " 💋", " 😘", " 🔥", " 💕", " ❤️",
                          " 😍", " ✨", " 🌹", " 🥰", " xx", ",")
EMOJI: tuple[str, ...] = ("💋", "😘", "🔥", "💕", "❤️", "😍", "✨", "🌹", "🥰", "💖", "🍒", "👑",
                          "🌸", "💎", "⭐")
# fmt: on
