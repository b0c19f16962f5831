"""The words of demo data: report sentences per topic, language and kind, names, companies."""

from __future__ import annotations

SENTENCES = """
[release_delays]
en i Our import declaration has waited {days} days for release with no explanation.
en s Publish expected release times per office and tell us when a consignment is held.
en q How many days should release take once all documents have been accepted?
es i Nuestra declaración de importación lleva {days} días esperando el levante sin explicación.
es s Publiquen los plazos de levante de cada aduana y avisen cuando se retiene una carga.
es q ¿Cuántos días debe tardar el levante una vez aceptados todos los documentos?
ru i Декларация ждёт выпуска уже {days} дн., на посту ничего не объясняют.
ru s Публикуйте сроки выпуска по каждому посту и сообщайте, когда груз задержан.
ru q Сколько дней должен занимать выпуск после того, как все документы приняты?
[documentation]
en i They asked for the original invoice again although we uploaded it; we waited {days} days.
en s Accept scanned certificates of origin instead of paper originals.
en q Which documents are required for a temporary import of exhibition goods?
es i Volvieron a pedir la factura original aunque ya la habíamos cargado; esperamos {days} días.
es s Propongo aceptar certificados de origen escaneados en lugar de originales en papel.
es q ¿Qué documentos se exigen para la importación temporal de mercancías para una feria?
ru i Снова потребовали оригинал инвойса, хотя мы его уже загрузили; партия простояла {days} дн.
ru s Предлагаем принимать сканы сертификатов происхождения вместо бумажных оригиналов.
ru q Какие документы нужны для временного ввоза товаров на выставку?
[fees_payments]
en i We paid the duties {days} days ago but the payment does not show and the goods are blocked.
en s Allow payment of fees by bank card at the counter and online.
en q Why was a storage fee charged while the goods were held for inspection?
es i Pagamos los derechos hace {days} días, pero el pago no aparece y la mercancía sigue retenida.
es s Sería útil poder pagar las tasas con tarjeta en ventanilla y en línea.
es q ¿Por qué se cobró almacenaje mientras la mercancía estaba retenida para inspección?
ru i Пошлину оплатили {days} дн. назад, но платёж так и не отразился, товар заблокирован.
ru s Просим разрешить оплату сборов банковской картой в окне и онлайн.
ru q Почему взяли плату за хранение, пока товар стоял на досмотре?
[it_systems]
en i The single window portal has been down for {days} days and declarations cannot be filed.
en s Send an e-mail or SMS when a declaration changes status in the system.
en q Is there a test environment where brokers can try the new declaration format?
es i El portal de ventanilla única lleva {days} días caído y no se pueden presentar declaraciones.
es s Envíen un correo o SMS cuando una declaración cambia de estado en el sistema.
es q ¿Hay un entorno de pruebas para que los agentes ensayen el nuevo formato de declaración?
ru i Портал «единого окна» не работает уже {days} дн., декларации подать невозможно.
ru s Присылайте письмо или SMS, когда меняется статус декларации в системе.
ru q Есть ли тестовая среда, где брокеры могут опробовать новый формат декларации?
[classification_valuation]
en i The declared value was raised without explanation and the review took {days} days.
en s Publish advance rulings on classification so that every office applies the same code.
en q How do I apply for an advance ruling on the tariff code of a new product?
es i Aumentaron el valor declarado sin explicación y la revisión tardó {days} días.
es s Publiquen las resoluciones anticipadas para que todas las aduanas apliquen la misma partida.
es q ¿Cómo solicito una resolución anticipada sobre la partida de un producto nuevo?
ru i Заявленную стоимость повысили без объяснений, а пересмотр занял {days} дн.
ru s Публикуйте предварительные решения по классификации, чтобы код применяли одинаково.
ru q Как получить предварительное решение по коду ТН ВЭД для нового товара?
[inspections]
en i Every consignment of ours goes to physical inspection; the last one waited {days} days.
en s Let traders attend inspections by appointment so containers are not opened twice.
en q On what criteria are consignments selected for physical inspection?
es i Todos nuestros envíos van a inspección física; el último esperó {days} días en el escáner.
es s Permitan asistir a la inspección con cita previa para no abrir el contenedor dos veces.
es q ¿Con qué criterios se seleccionan los envíos para inspección física?
ru i Все наши партии отправляют на физический досмотр; последняя простояла {days} дн.
ru s Предлагаем досмотр по записи в присутствии декларанта, чтобы не вскрывать контейнер дважды.
ru q По каким критериям партии отбирают на физический досмотр?
[transparency]
en i The new rule on samples applied from the day it was published, with no time to prepare.
en s Publish draft regulations for comment at least {days} days before they take effect.
en q Where can I find the list of restricted goods and how do I appeal a decision?
es i La nueva norma sobre muestras se aplicó el mismo día de su publicación, sin tiempo de ajuste.
es s Publiquen los proyectos de normas para comentarios {days} días antes de su entrada en vigor.
es q ¿Dónde consulto la lista de mercancías restringidas y cómo recurro una decisión?
ru i Новое правило об образцах применили в день публикации, подготовиться было невозможно.
ru s Публикуйте проекты нормативных актов для обсуждения за {days} дн. до вступления в силу.
ru q Где найти перечень ограниченных товаров и как обжаловать решение?
[integrity]
en i An officer hinted clearance would be faster for an extra payment; we refused and waited.
en s Put up signs with the hotline number for complaints about officials' conduct.
en q How can a complaint about an officer be filed confidentially?
es i Un funcionario insinuó que con un pago extra el despacho sería más rápido; nos negamos.
es s Coloquen carteles con el número de la línea de denuncias sobre la conducta del personal.
es q ¿Cómo se presenta una queja confidencial sobre un funcionario?
ru i Сотрудник намекнул, что за доплату оформят быстрее; мы отказались и ждали {days} дн.
ru s Разместите на постах номер горячей линии для жалоб на действия сотрудников.
ru q Как подать конфиденциальную жалобу на сотрудника таможни?
[border_cooperation]
en i Trucks queue {days} days at the crossing: the veterinary post and Customs keep other hours.
en s Hold joint inspections with the other border agencies at one stop.
en q Can transit goods be sealed once and not inspected again at the exit post?
es i Los camiones esperan {days} días en el paso: veterinaria y Aduana tienen horarios distintos.
es s Propongo inspecciones conjuntas con los demás organismos de frontera en un solo punto.
es q ¿Se puede precintar la mercancía en tránsito una vez y no revisarla de nuevo a la salida?
ru i Фуры стоят на переходе по {days} дн.: ветконтроль и таможня работают в разные часы.
ru s Предлагаем совместный досмотр с другими пограничными службами в одном месте.
ru q Можно ли опломбировать транзитный груз один раз и не досматривать его на выезде?
[other]
en i The parking area at the office has no lighting and drivers wait there for {days} days.
en s Open a second counter during the morning peak.
en q Are the office opening hours different on public holidays?
es i El estacionamiento de la aduana no tiene luz y los conductores esperan allí {days} días.
es s Abran una segunda ventanilla en la hora punta de la mañana.
es q ¿Cambia el horario de atención de la aduana en días festivos?
ru i Стоянка у поста не освещена, а водители ждут там по {days} дн.
ru s Предлагаем открывать второе окно в утренние часы пик.
ru q Меняется ли график работы поста в праздничные дни?
"""
OPENERS = {
    "en": ("", "", "Hello.", "Good morning.", "Hello again."),
    "es": ("", "", "Hola.", "Buenos días.", "Buenas tardes."),
    "ru": ("", "", "Здравствуйте.", "Добрый день.", "Уважаемые коллеги!"),
}
CLOSERS = {  # the last three show the masking of contacts and names in digest quotes
    "en": ("", "Please help.", "It costs us money.", "Write to {email}.", "Call {phone}.",
           "— {org}"),
    "es": ("", "Ayúdennos.", "Nos cuesta dinero.", "Escriban a {email}.", "Llamen al {phone}.",
           "— {org}"),
    "ru": ("", "Просим помочь.", "Это стоит денег.", "Пишите на {email}.", "Звоните: {phone}.",
           "— {org}"),
}  # fmt: skip
CLOSER_CUMULATIVE = (0.6, 0.78, 0.9, 0.94, 0.97)  # thresholds between the closers above
NAMES = {
    "en": ("James Mary Robert Linda Michael Sarah David Emma", "Smith Brown Taylor Wilson Clark"),
    "es": ("Carlos María José Lucía Javier Ana Diego Valentina", "García López Pérez Gómez Ruiz"),
    "ru": ("Алексей Мария Дмитрий Елена Сергей Ольга Иван Анна", "Ким Мельник Шевчук Бондаренко"),
}
ORGS = {
    "en": ("{} Logistics Ltd", "Harbor Summit Bluewater Northstar Keystone Meridian"),
    "es": ("{} Comercial SRL", "Andina Austral Pacífico Cóndor Altiplano Caribe"),
    "ru": ("ООО «{}»", "Восток Меридиан Транзит Сапсан Ладога Кедр"),
}


def sentences() -> dict[tuple[str, str, str], str]:
    """Return the report sentence for each (topic, language, kind)."""
    found: dict[tuple[str, str, str], str] = {}
    topic = ""
    for line in SENTENCES.strip().splitlines():
        if line.startswith("["):
            topic = line.strip("[]")
            continue
        language, kind, text = line.split(" ", 2)
        found[(topic, language, {"i": "issue", "s": "suggestion", "q": "question"}[kind])] = text
    return found
