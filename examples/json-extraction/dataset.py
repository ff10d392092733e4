"""Deterministic records for the JSON-extraction example: a sentence about a person and
the JSON the teacher extracts from it. The same seed always gives the same records."""
import json
import random

FIRST = ["Maria", "Jonas", "Aiko", "Pedro", "Fatima", "Liam", "Chen", "Olga", "Kwame", "Sofia",
         "Ravi", "Elena", "Tomas", "Amara", "Yusuf", "Ingrid", "Diego", "Hana", "Noah", "Zara"]
LAST = ["Lopez", "Berg", "Tanaka", "Silva", "Haddad", "Murphy", "Wang", "Petrova", "Mensah", "Rossi",
        "Patel", "Novak", "Keller", "Okafor", "Demir", "Larsen", "Ramos", "Sato", "Fischer", "Ali"]
CITIES = ["Seville", "Oslo", "Osaka", "Lisbon", "Beirut", "Dublin", "Chengdu", "Kazan", "Accra", "Turin",
          "Pune", "Zagreb", "Graz", "Lagos", "Izmir", "Bergen", "Quito", "Kyoto", "Bremen", "Doha"]
TEMPLATES = [
    "{name}, {age}, lives in {city}.",
    "Meet {name} from {city}; {pronoun} is {age} years old.",
    "{city} resident {name} turned {age} this year.",
    "At {age}, {name} moved to {city}.",
    "Name: {name}. Age: {age}. Home town: {city}.",
]
INSTRUCTION = ('Extract the person\'s name, age and city from the text. '
               'Answer with JSON only: {"name": string, "age": number, "city": string}.')


def records(count, seed):
    """`count` records: (prompt text, answer dict)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        age, city = rng.randint(18, 90), rng.choice(CITIES)
        text = rng.choice(TEMPLATES).format(name=name, age=age, city=city, pronoun=rng.choice(["she", "he"]))
        out.append((f"{INSTRUCTION}\nText: {text}", {"name": name, "age": age, "city": city}))
    return out


def answer_json(answer):
    """The teacher's exact answer text."""
    return json.dumps(answer, separators=(", ", ": "))
