"""Write the encoding corpus: activity exports in legacy 8-bit, East Asian and UTF-16 encodings.

Each ``encodings/<name>.csv`` is a small marketing-activity export written in one
encoding, with ``<name>.csv.truth.json`` beside it giving the table a correct read yields
(see the corpus convention in ``tests/data/README.md``). The rows are the kind of data
such files hold: people's names, companies and asset names in the file's language.

The "sparse" inputs (megabytes of ASCII before the first non-ASCII byte) are too large
to commit; :func:`sparse_cases` builds them, and the tests write them at run time.

Run ``python tests/data/corpus/make_encodings.py`` to rewrite the committed files; the
output is deterministic (a test checks that it reproduces the committed bytes).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).parent / "encodings"

HEADER = ["EmailAddress", "FirstName", "LastName", "Company", "AssetName", "ActivityType"]

#: ``(first name, last name, company, asset name)`` per language.
PEOPLE: dict[str, list[tuple[str, str, str, str]]] = {
    "polish": [
        ("Małgorzata", "Wiśniewska", "Żabka Polska", "Webinar: Zarządzanie danymi"),
        ("Łukasz", "Wałęsa", "Spółdzielnia Mleczarska", "Gęślą jaźń – poradnik"),
        ("Zofia", "Kamińska", "Ośrodek Szkoleń", "Szkolenie: Współpraca zespołów"),
        ("Grzegorz", "Brzęczyszczykiewicz", "Łódzkie Zakłady", "Konferencja Źródła Wzrostu"),
        ("Jolanta", "Dąbrowska", "Księgarnia Świat", "Newsletter październik"),
        ("Paweł", "Król", "Przędzalnia Łańcut", "Pokaz produktu: Ściśle tajne"),
    ],
    "czech": [
        ("Jiří", "Dvořák", "Škoda Účetnictví", "Webinář: Řízení vztahů se zákazníky"),
        ("Zdeňka", "Šťastná", "Plzeňský Pivovar", "Školení – Účinný marketing"),
        ("Přemysl", "Kůrka", "Železárny Třinec", "Konference Obchodní úspěch"),
        ("Věra", "Nováková", "Čedok Cestovní", "Příručka: Zákaznická péče"),
        ("Tomáš", "Černý", "Úřad práce Brno", "Pozvánka na veletrh"),
        ("Růžena", "Procházková", "Žďárské strojírny", "Ukázka řešení"),
    ],
    "hungarian": [
        ("Győző", "Kovács", "Győri Keksz Kft.", "Webinárium: Ügyfélkapcsolatok"),
        ("Erzsébet", "Szőke", "Tűzoltó Szerviz", "Előadás – Üzleti növekedés"),
        ("Ödön", "Horváth", "Pécsi Sörfőzde", "Hírlevél őszi kiadás"),
        ("Réka", "Fűzfa", "Kőbányai Épület", "Termékbemutató: Új ötletek"),
        ("Lőrinc", "Tóth", "Székesfehérvári Gyár", "Konferencia Győrben"),
        ("Zsuzsanna", "Bőd", "Ürömi Kertészet", "Útmutató kezdőknek"),
    ],
    "romanian": [
        ("Ştefan", "Căpăţână", "Întreprinderea Braşov", "Seminar: Gestiunea clienţilor"),
        ("Ioana", "Ţăranu", "Fabrica de Pâine", "Conferinţă – Creşterea vânzărilor"),
        ("Mădălina", "Bălţatu", "Târgu Mureş Soft", "Ghid pentru începători"),
        ("Răzvan", "Moşteanu", "Şantierul Naval", "Prezentare produs nou"),
        ("Irina", "Dumitraşcu", "Băneasa Construcţii", "Invitaţie la târg"),
        ("Costică", "Pârvulescu", "Cluj Tehnică", "Newsletter – ediţia de toamnă"),
    ],
    "russian": [
        ("Александр", "Иванов", "ООО Ромашка", "Вебинар: Управление данными"),
        ("Екатерина", "Смирнова", "АО Северсталь", "Конференция «Рост продаж»"),
        ("Дмитрий", "Кузнецов", "Газпром нефть", "Руководство по продукту"),
        ("Наталья", "Попова", "Сбербанк Технологии", "Приглашение на выставку"),
        ("Сергей", "Васильев", "Яндекс Облако", "Демонстрация решения"),
        ("Юлия", "Соколова", "Лаборатория Касперского", "Рассылка: осенний выпуск"),
    ],
    "ukrainian": [
        ("Олександр", "Шевченко", "ТОВ Київстар", "Вебінар: Керування даними"),
        ("Ївга", "Коваленко", "Укрзалізниця", "Конференція «Зростання продажів»"),
        ("Ґалина", "Бондаренко", "Львівська Пивоварня", "Посібник для початківців"),
        ("Євген", "Ткаченко", "Приватбанк", "Запрошення на виставку"),
        ("Ірина", "Кравченко", "Нова Пошта", "Демонстрація продукту"),
        ("Андрій", "Олійник", "Херсонські Верфі", "Розсилка: осінній випуск"),
    ],
    "greek": [
        ("Άννα", "Παπαδοπούλου", "Ελληνικά Πετρέλαια", "Διαδικτυακό σεμινάριο: Δεδομένα"),
        ("Γιώργος", "Νικολάου", "Όμιλος Αθηνών", "Συνέδριο «Ανάπτυξη πωλήσεων»"),
        ("Ελένη", "Ιωάννου", "Έβρος Τεχνική", "Οδηγός για αρχάριους"),
        ("Δημήτρης", "Γεωργίου", "Ήπειρος Τρόφιμα", "Πρόσκληση στην έκθεση"),
        ("Μαρία", "Κωνσταντίνου", "Ίδρυμα Ωνάση", "Επίδειξη προϊόντος"),
        ("Νίκος", "Αλεξίου", "Ύδρα Ναυτιλιακή", "Ενημερωτικό δελτίο φθινοπώρου"),
    ],
    "turkish": [
        ("Şükrü", "Yılmaz", "Türk Telekom", "Web semineri: Müşteri ilişkileri"),
        ("Ayşe", "Öztürk", "İstanbul Çelik", "Konferans – Satış büyümesi"),
        ("Gülşen", "Çelik", "Ağaoğlu İnşaat", "Yeni başlayanlar için kılavuz"),
        ("İbrahim", "Doğan", "Şişecam Ürünleri", "Fuar daveti"),
        ("Özlem", "Kılıç", "Ülker Gıda", "Ürün tanıtımı"),
        ("Ömer", "Güneş", "Eskişehir Yazılım", "Bülten: sonbahar sayısı"),
    ],
    "lithuanian": [
        ("Žydrūnas", "Savickas", "Šiaulių Bankas", "Seminaras: Klientų valdymas"),
        ("Gintarė", "Kazlauskienė", "Ūkininkų Sąjunga", "Konferencija „Pardavimų augimas“"),
        ("Jūratė", "Petrauskaitė", "Kauno Įmonė", "Vadovas pradedantiesiems"),
        ("Mindaugas", "Jankūnas", "Vilniaus Šilumos Tinklai", "Kvietimas į parodą"),
        ("Rūta", "Žukauskienė", "Klaipėdos Uostas", "Produkto pristatymas"),
        ("Česlovas", "Čepulis", "Panevėžio Ąžuolas", "Naujienlaiškis: ruduo"),
    ],
    "latvian": [
        ("Jānis", "Bērziņš", "Rīgas Ūdens", "Vebinārs: Klientu pārvaldība"),
        ("Līga", "Ozoliņa", "Latvijas Gāze", "Konference „Pārdošanas izaugsme“"),
        ("Kārlis", "Kalniņš", "Ventspils Ķīmija", "Ceļvedis iesācējiem"),
        ("Inese", "Zariņa", "Daugavpils Šūšana", "Ielūgums uz izstādi"),
        ("Ģirts", "Liepiņš", "Jūrmalas Ņiprais", "Produkta demonstrācija"),
        ("Elīna", "Krūmiņa", "Cēsu Alus", "Jaunumu vēstule: rudens"),
    ],
    "french": [
        ("François", "Lefèvre", "Œuvres Sociales SA", "Webinaire : la gestion des données"),
        ("Anaïs", "Cœur", "Société Générale Crème", "Offre spéciale : 20 € de remise"),
        ("Jérôme", "Bœuf", "Électricité de l'Œst", "Conférence « Croissance des ventes »"),
        ("Hélène", "Dupré", "Café Noël", "Guide à l'œil du débutant"),
        ("Maël", "Faÿ", "Château Ribérac", "Invitation au salon – 150 €"),
        ("Agnès", "Lœuillet", "Hôtel Saint-Éloi", "Démonstration du produit"),
    ],
    "german": [
        ("Jürgen", "Müller", "Bäckerei Größe GmbH", "Webinar: Kundenbeziehungen für 49 €"),
        ("Käthe", "Schäfer", "Straßenbau Köln", "Konferenz „Umsatzwachstum“"),
        ("Björn", "Weiß", "Grüne Energie AG", "Leitfaden für Einsteiger"),
        ("Sönke", "Hoß", "Fleischerei Übel", "Einladung zur Messe – 25 €"),
        ("Dörte", "Krüger", "Maschinenbau Fürth", "Produktvorführung"),
        ("Günther", "Öztürk", "Süßwaren Düsseldorf", "Newsletter: Herbstausgabe"),
    ],
    "spanish": [
        ("José", "Núñez", "Telefónica España", "Seminario web: gestión de clientes"),
        ("María", "Peña", "Construcciones Ibáñez", "Conferencia «Crecimiento de ventas»"),
        ("Íñigo", "Muñoz", "Café Señorío", "Guía para principiantes – 30 €"),
        ("Begoña", "Sáenz", "Logística Cáceres", "Invitación a la feria"),
        ("Ángel", "Gutiérrez", "Aceitunas Jaén", "Demostración del producto"),
        ("Araceli", "Domínguez", "Óptica Andaluza", "Boletín: edición de otoño"),
    ],
    "hebrew": [
        ("דוד", "כהן", "אלביט מערכות", "וובינר: ניהול לקוחות"),
        ("שרה", "לוי", "בנק הפועלים", "כנס צמיחה במכירות"),
        ("יוסף", "מזרחי", "תנובה", "מדריך למתחילים"),
        ("רחל", "פרץ", "אל על", "הזמנה לתערוכה"),
        ("משה", "ביטון", "שטראוס", "הדגמת מוצר"),
        ("מרים", "אברהם", "פרטנר תקשורת", "עלון: מהדורת סתיו"),
    ],
    "arabic": [
        ("محمد", "العلي", "شركة الاتصالات", "ندوة عبر الإنترنت: إدارة العملاء"),
        ("فاطمة", "الحسن", "بنك الرياض", "مؤتمر نمو المبيعات"),
        ("أحمد", "منصور", "أرامكو", "دليل المبتدئين"),
        ("عائشة", "يوسف", "طيران الإمارات", "دعوة إلى المعرض"),
        ("خالد", "إبراهيم", "سابك", "عرض المنتج"),
        ("مريم", "سعيد", "مجموعة الشايع", "النشرة الإخبارية: عدد الخريف"),
    ],
    "japanese": [
        ("太郎", "山田", "株式会社サンプル", "ウェビナー：顧客管理の基本"),
        ("花子", "佐藤", "東京電機工業", "カンファレンス「売上成長」"),
        ("健一", "鈴木", "大阪物産株式会社", "初心者向けガイド"),
        ("美咲", "高橋", "名古屋精密", "展示会へのご招待"),
        ("翔太", "田中", "札幌ソフトウェア", "製品デモンストレーション"),
        ("陽子", "渡辺", "福岡食品", "ニュースレター：秋号"),
    ],
    "chinese_simplified": [
        ("伟", "王", "北京科技有限公司", "网络研讨会：客户管理"),
        ("芳", "李", "上海贸易集团", "销售增长大会"),
        ("强", "张", "深圳电子股份", "新手指南"),
        ("静", "刘", "广州物流公司", "展会邀请函"),
        ("磊", "陈", "杭州软件开发", "产品演示"),
        ("洋", "杨", "成都食品有限公司", "秋季通讯"),
    ],
    "chinese_traditional": [
        ("志明", "陳", "台北科技股份有限公司", "網路研討會：客戶管理"),
        ("淑芬", "林", "高雄貿易集團", "銷售成長大會"),
        ("建宏", "黃", "新竹電子公司", "新手指南"),
        ("美玲", "張", "台中物流公司", "展覽會邀請函"),
        ("俊傑", "李", "桃園軟體開發", "產品展示"),
        ("雅婷", "王", "台南食品有限公司", "秋季通訊"),
    ],
    "korean": [
        ("민준", "김", "삼성전자", "웨비나: 고객 관리"),
        ("서연", "이", "현대자동차", "매출 성장 컨퍼런스"),
        ("도윤", "박", "엘지화학", "초보자를 위한 안내서"),
        ("지우", "최", "에스케이텔레콤", "전시회 초대장"),
        ("하준", "정", "네이버", "제품 시연"),
        ("수아", "강", "카카오", "가을 소식지"),
    ],
    "thai": [
        ("สมชาย", "ใจดี", "บริษัท ปูนซิเมนต์ไทย", "สัมมนาออนไลน์: การจัดการลูกค้า"),
        ("สมหญิง", "รักไทย", "ธนาคารกสิกรไทย", "การประชุมการเติบโตของยอดขาย"),
        ("วิชัย", "ศรีสุข", "การบินไทย", "คู่มือสำหรับผู้เริ่มต้น"),
        ("มาลี", "วงศ์ใหญ่", "ซีพีออลล์", "คำเชิญเข้าร่วมงานแสดงสินค้า"),
        ("ประยุทธ", "ทองดี", "ปตท", "การสาธิตผลิตภัณฑ์"),
        ("นภา", "แสงทอง", "เซ็นทรัล", "จดหมายข่าวฉบับฤดูใบไม้ร่วง"),
    ],
}

#: Romanized mailbox names, so that the e-mail column stays ASCII as real exports do.
_MAILBOX = "anna bruno clara dario emma felix greta hugo ines jonas karla leon".split()  # noqa: SIM905


@dataclass(frozen=True)
class Case:
    """One corpus file: a language written in an encoding."""

    name: str
    language: str
    encoding: str
    note: str
    delimiter: str = ","
    domain: str = "example.com"
    loud: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default=())
    header: tuple[str, ...] = tuple(HEADER)
    activity: str = "Registered"

    def records(self) -> list[list[str]]:
        """Return the records, the e-mail addresses made from the row number."""
        if self.rows:
            return [list(row) for row in self.rows]
        return [
            [
                f"{_MAILBOX[i]}.{i + 1}@{self.domain}",
                *(_fit(text, self.encoding) for text in (first, last, company, asset)),
                self.activity,
            ]
            for i, (first, last, company, asset) in enumerate(PEOPLE[self.language])
        ]


#: Plain stand-ins for typographic punctuation an encoding lacks, as exporters write them.
_PLAIN = str.maketrans({"–": "-", "«": '"', "»": '"', "„": '"', "“": '"'})


def _fit(text: str, encoding: str) -> str:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.translate(_PLAIN)
    return text


CASES: tuple[Case, ...] = (
    Case(
        "polish_iso8859_2", "polish", "iso8859-2", "Polish in ISO-8859-2 (ą ś ź differ from cp1250)"
    ),
    Case("polish_cp1250", "polish", "cp1250", "Polish in Windows-1250", ";"),
    Case("czech_cp1250", "czech", "cp1250", "Czech in Windows-1250 (š ť ž differ from ISO-8859-2)"),
    Case("czech_iso8859_2", "czech", "iso8859-2", "Czech in ISO-8859-2", ";"),
    Case("hungarian_cp1250", "hungarian", "cp1250", "Hungarian ő ű, which cp1252 reads as õ û"),
    Case("romanian_cp1250", "romanian", "cp1250", "Romanian ş ţ ă in Windows-1250"),
    Case("russian_cp1251", "russian", "cp1251", "Russian in Windows-1251", ";"),
    Case("russian_koi8_r", "russian", "koi8-r", "Russian in KOI8-R"),
    Case("russian_iso8859_5", "russian", "iso8859-5", "Russian in ISO-8859-5 (not cp1251)"),
    Case("russian_cp866", "russian", "cp866", "Russian in DOS code page 866", ";"),
    Case("russian_mac_cyrillic", "russian", "mac-cyrillic", "Russian in Mac Cyrillic"),
    Case("ukrainian_cp1251", "ukrainian", "cp1251", "Ukrainian і ї є ґ in Windows-1251"),
    Case("ukrainian_koi8_u", "ukrainian", "koi8-u", "Ukrainian in KOI8-U"),
    Case("greek_cp1253", "greek", "cp1253", "Greek in Windows-1253"),
    Case("greek_iso8859_7", "greek", "iso8859-7", "Greek in ISO-8859-7 (Ά is 0xB6, ¶ in cp1253)"),
    Case("turkish_cp1254", "turkish", "cp1254", "Turkish ş ğ ı, which cp1252 reads as þ ð ý"),
    Case("turkish_iso8859_9", "turkish", "iso8859-9", "Turkish in ISO-8859-9", ";"),
    Case("lithuanian_cp1257", "lithuanian", "cp1257", "Lithuanian in Windows-1257"),
    Case("latvian_cp1257", "latvian", "cp1257", "Latvian in Windows-1257"),
    Case("latvian_iso8859_13", "latvian", "iso8859-13", "Latvian in ISO-8859-13"),
    Case("french_cp1252", "french", "cp1252", "French with € and œ in Windows-1252", ";"),
    Case(
        "french_iso8859_15", "french", "iso8859-15", "French € and œ in ISO-8859-15 (¤ ½ in cp1252)"
    ),
    Case("german_cp1252", "german", "cp1252", "German with € and typographic quotes in cp1252"),
    Case("german_iso8859_15", "german", "iso8859-15", "German with € in ISO-8859-15", ";"),
    Case("spanish_cp1252", "spanish", "cp1252", "Spanish in Windows-1252"),
    Case("french_mac_roman", "french", "mac-roman", "French in Mac Roman (not cp1252)"),
    Case("german_mac_roman", "german", "mac-roman", "German in Mac Roman"),
    Case("hebrew_cp1255", "hebrew", "cp1255", "Hebrew in Windows-1255"),
    Case("hebrew_iso8859_8", "hebrew", "iso8859-8", "Hebrew in ISO-8859-8"),
    Case("arabic_cp1256", "arabic", "cp1256", "Arabic in Windows-1256"),
    Case("thai_cp874", "thai", "cp874", "Thai in Windows-874 (TIS-620 with extras)"),
    Case("japanese_shift_jis", "japanese", "shift_jis", "Japanese in Shift_JIS"),
    Case("japanese_euc_jp", "japanese", "euc_jp", "Japanese in EUC-JP"),
    Case("chinese_gbk", "chinese_simplified", "gbk", "Simplified Chinese in GBK"),
    Case("chinese_big5", "chinese_traditional", "big5", "Traditional Chinese in Big5"),
    Case("korean_euc_kr", "korean", "euc_kr", "Korean in EUC-KR"),
    Case("russian_utf16le_nobom", "russian", "utf-16-le", "Cyrillic UTF-16 LE without a BOM"),
    Case("greek_utf16be_nobom", "greek", "utf-16-be", "Greek UTF-16 BE without a BOM"),
    Case("japanese_utf16le_nobom", "japanese", "utf-16-le", "Japanese UTF-16 LE without a BOM"),
    Case("chinese_utf16be_nobom", "chinese_simplified", "utf-16-be", "Chinese UTF-16 BE, no BOM"),
    # Headers and values in the language: too few ASCII characters for the NUL pattern.
    Case(
        "russian_utf16le_nobom_native",
        "russian",
        "utf-16-le",
        "Cyrillic UTF-16 LE, no BOM, Russian headers",
        header=("Почта", "Имя", "Фамилия", "Компания", "Материал", "Действие"),
        activity="Регистрация",
    ),
    Case(
        "greek_utf16le_nobom_native",
        "greek",
        "utf-16-le",
        "Greek UTF-16 LE, no BOM, Greek headers",
        header=("Ηλεκτρονική διεύθυνση", "Όνομα", "Επώνυμο", "Εταιρεία", "Υλικό", "Ενέργεια"),
        activity="Εγγραφή",
    ),
    Case(
        "japanese_utf16be_nobom_native",
        "japanese",
        "utf-16-be",
        "Japanese UTF-16 BE, no BOM, Japanese headers",
        header=("メール", "名", "姓", "会社", "資料", "種別"),
        activity="登録",
    ),
)


def table_bytes(case: Case) -> bytes:
    """Return the case's CSV, encoded, with CRLF line ends as Excel writes them."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=case.delimiter, lineterminator="\r\n")
    writer.writerow(case.header)
    writer.writerows(case.records())
    return buf.getvalue().encode(case.encoding)


def truth(case: Case) -> dict[str, object]:
    """Return the truth document of a case (see the corpus convention)."""
    doc: dict[str, object] = {
        "header": list(case.header),
        "records": case.records(),
        "note": f"{case.note}; encoding {case.encoding}",
    }
    if case.loud:
        doc["loud"] = list(case.loud)
    return doc


def cesu8() -> tuple[bytes, dict[str, object]]:
    """Return a UTF-8 file with one CESU-8 sequence (an emoji as two 3-byte surrogates).

    CESU-8 is not UTF-8: an exact read would invent a decoder for it. The cell must be
    reported as undecodable bytes, never the whole file read as cp1252.
    """
    records = [
        ["anna.1@example.com", "Zoë", "Brown", "Acme", "Webinar", "Registered"],
        ["bruno.2@example.com", "Bruno", "Smith", "Initech", "Party 🎉 invite", "Attended"],
        ["clara.3@example.com", "Clara", "Jones", "Globex", "Newsletter", "Registered"],
    ]
    emoji = "🎉"
    high, low = divmod(ord(emoji) - 0x10000, 0x400)
    surrogates = (chr(0xD800 + high) + chr(0xDC00 + low)).encode("utf-8", "surrogatepass")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(records)
    raw = buf.getvalue().encode("utf-8").replace(emoji.encode("utf-8"), surrogates)
    doc: dict[str, object] = {
        "header": HEADER,
        "records": records,
        "note": "UTF-8 with one letter and one CESU-8 sequence (U+1F389 as two 3-byte surrogates)",
        "loud": ["undecodable-bytes"],
    }
    return raw, doc


def sparse_cases() -> list[tuple[str, bytes, dict[str, object]]]:
    """Return the sparse inputs: about 1.5 MB of ASCII rows, then accented rows.

    Returns:
        ``(file name, bytes, truth document)`` for each.
    """
    found = []
    for case in (
        Case("sparse_french_cp1252", "french", "cp1252", "French after 1.5 MB of ASCII"),
        Case("sparse_polish_iso8859_2", "polish", "iso8859-2", "Polish after 1.5 MB of ASCII"),
        Case("sparse_russian_cp1251", "russian", "cp1251", "Russian after 1.5 MB of ASCII"),
        Case("sparse_turkish_cp1254", "turkish", "cp1254", "Turkish after 1.5 MB of ASCII"),
    ):
        plain = [
            [f"plain{i}@example.com", "Plain", f"Person{i}", "Acme Inc", "Webinar", "Registered"]
            for i in range(1_500_000 // 62)
        ]
        records = plain + case.records()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(records)
        doc: dict[str, object] = {"header": HEADER, "records": records, "note": case.note}
        found.append((f"{case.name}.csv", buf.getvalue().encode(case.encoding), doc))
    return found


def files() -> dict[str, bytes]:
    """Return every committed file of the corpus, by name."""
    out: dict[str, bytes] = {}
    for case in CASES:
        name = f"{case.name}.csv"
        out[name] = table_bytes(case)
        out[f"{name}.truth.json"] = _json(truth(case))
    raw, doc = cesu8()
    out["cesu8_in_utf8.csv"] = raw
    out["cesu8_in_utf8.csv.truth.json"] = _json(doc)
    return out


def _json(doc: dict[str, object]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def main() -> int:
    """Write the corpus into ``encodings/``."""
    OUT.mkdir(exist_ok=True)
    for name, data in files().items():
        (OUT / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
