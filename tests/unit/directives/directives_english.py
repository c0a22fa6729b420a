"""English for every msgid of ``dmp.directives``: what the English rendering test uses, and what
the catalogue (src/dmp/locale/en) needs once `make i18n` extracts these messages."""

from __future__ import annotations

ENGLISH = {
    # contact.py
    "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.": (
        "Enter a valid phone number, for example 06 12 34 56 78."
    ),
    "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.": (
        "Enter a valid email address, for example name@example.com."
    ),
    "Indiquez un numéro de téléphone ou une adresse e-mail pour joindre cette personne.": (
        "Give a phone number or an email address to reach this person."
    ),
    # invitations.py
    "Ce code d'invitation n'est pas valide. Vérifiez-le et saisissez-le de nouveau.": (
        "This invitation code is not valid. Check it and enter it again."
    ),
    "Cette invitation a déjà été utilisée.": "This invitation has already been used.",
    "Cette invitation a expiré. Demandez à la personne qui vous a désigné(e) de vous en"
    " envoyer une nouvelle.": (
        "This invitation has expired. Ask the person who named you to send you a new one."
    ),
    # model.py
    "Ce champ est obligatoire.": "This field is required.",
    "Non renseigné.": "Not stated.",
    "Ce texte est trop long : %(limit)s caractères au plus.": (
        "This text is too long: %(limit)s characters at most."
    ),
    "Je suis atteint(e) d'une maladie grave ou je suis en fin de vie": (
        "I have a serious illness or I am at the end of my life"
    ),
    "Je pense être en bonne santé : je ne suis pas atteint(e) d'une maladie grave": (
        "I believe I am in good health: I do not have a serious illness"
    ),
    "Réanimation cardio-respiratoire": "Cardiopulmonary resuscitation",
    "Assistance respiratoire (intubation, ventilation mécanique)": (
        "Breathing support (intubation, mechanical ventilation)"
    ),
    "Dialyse rénale": "Kidney dialysis",
    "Alimentation et hydratation artificielles": "Artificial nutrition and hydration",
    "Intervention chirurgicale": "Surgery",
    "Transfusion sanguine": "Blood transfusion",
    "Entreprendre ou poursuivre": "Start or continue",
    "Limiter": "Limit",
    "Arrêter": "Stop",
    "Refuser": "Refuse",
    "Oui, je souhaite une sédation profonde et continue jusqu'à mon décès.": (
        "Yes, I want deep and continuous sedation until my death."
    ),
    "Non, je ne souhaite pas de sédation profonde et continue.": (
        "No, I do not want deep and continuous sedation."
    ),
    "Je ne me prononce pas.": "I express no opinion.",
    "Le juge": "The judge",
    "Le conseil de famille": "The family council",
    "Indiquez si vous êtes atteint(e) d'une maladie grave ou si vous pensez être en bonne"
    " santé.": "Say whether you have a serious illness or believe you are in good health.",
    "Pour la sédation, répondez oui, non, ou « je ne me prononce pas ».": (
        "For sedation, answer yes, no, or “I express no opinion”."
    ),
    "Vos directives sont vides : exprimez au moins une volonté (sur un traitement, la"
    " sédation, ou dans un des textes libres).": (
        "Your directives are empty: state at least one wish (about a treatment, sedation, or in"
        " one of the free texts)."
    ),
    "Indiquez le nom et le prénom de votre personne de confiance.": (
        "Give the first name and surname of your trusted person."
    ),
    "Saisissez votre nom de famille.": "Enter your surname.",
    "Saisissez vos prénoms.": "Enter your first names.",
    "Saisissez la date de naissance.": "Enter the date of birth.",
    "La date de naissance est dans le futur.": "The date of birth is in the future.",
    "La date de naissance est trop ancienne : vérifiez l'année.": (
        "The date of birth is too long ago: check the year."
    ),
    "Seule une personne majeure peut rédiger des directives anticipées.": (
        "Only an adult can write advance directives."
    ),
    "Indiquez votre lieu de naissance (la commune, et le pays si vous êtes né(e) à l'étranger).": (
        "Give your place of birth (the town, and the country if you were born outside France)."
    ),
    "Traitement inconnu : choisissez-le dans la liste, ou décrivez-le dans « autres"
    " traitements ».": (
        "Unknown treatment: choose it from the list, or describe it under “other treatments”."
    ),
    "Ce traitement figure deux fois : gardez une seule volonté par traitement.": (
        "This treatment appears twice: keep one wish per treatment."
    ),
    "Choisissez pour ce traitement : l'entreprendre ou le poursuivre, le limiter, l'arrêter ou"
    " le refuser.": (
        "Choose for this treatment: start or continue it, limit it, stop it or refuse it."
    ),
    "Si vous ne pouvez pas écrire vous-même, deux témoins doivent attester que ces directives"
    " expriment votre volonté libre et éclairée.": (
        "If you cannot write yourself, two witnesses must attest that these directives express"
        " your free and informed wishes."
    ),
    "Indiquez deux témoins, ou aucun.": "Name two witnesses, or none.",
    "Indiquez le nom et le prénom du témoin.": "Give the witness's first name and surname.",
    "Indiquez la qualité du témoin : son lien avec vous ou sa profession (par exemple « ami »,"
    " « infirmière »).": (
        "Give the witness's capacity: their relationship to you or their profession (for"
        " example “friend”, “nurse”)."
    ),
    "Un seul des deux témoins peut être votre personne de confiance.": (
        "Only one of the two witnesses can be your trusted person."
    ),
    "Les deux témoins doivent être deux personnes différentes.": (
        "The two witnesses must be two different people."
    ),
    "Un majeur protégé doit avoir l'autorisation du juge ou du conseil de famille pour rédiger"
    " ses directives anticipées.": (
        "An adult under legal protection needs the authorisation of the judge or of the family"
        " council to write advance directives."
    ),
    "Indiquez qui vous a autorisé(e) : le juge ou le conseil de famille.": (
        "Say who authorised you: the judge or the family council."
    ),
    "Indiquez la référence de l'autorisation (par exemple la date de la décision et le"
    " tribunal).": "Give the reference of the authorisation (for example the date of the"
    " decision and the court).",
    "Indiquez le lieu où vous signez (par exemple votre commune).": (
        "Give the place where you sign (for example your town)."
    ),
    "Vos directives doivent être datées.": "Your directives must be dated.",
    "La date de signature ne peut pas être dans le futur.": (
        "The date of signature cannot be in the future."
    ),
    "Vos directives doivent être signées.": "Your directives must be signed.",
    "Signez en saisissant votre nom, ou en dessinant votre signature.": (
        "Sign by typing your name, or by drawing your signature."
    ),
    "Pour signer, saisissez votre prénom et votre nom.": (
        "To sign, type your first name and surname."
    ),
    "Dessinez votre signature dans le cadre prévu.": "Draw your signature in the box.",
    # render.py
    "Mes directives anticipées": "My advance directives",
    "Directives anticipées de %(name)s": "Advance directives of %(name)s",
    "Brouillon : ces directives ne sont pas encore signées.": (
        "Draft: these directives are not signed yet."
    ),
    "Mon identité": "My identity",
    "Je soussigné(e) %(name)s, né(e) le %(birth_date)s à %(birth_place)s.": (
        "I, the undersigned %(name)s, born on %(birth_date)s in %(birth_place)s."
    ),
    "Je rédige ici mes directives anticipées, pour le cas où je ne serais plus en mesure"
    " d'exprimer ma volonté.": (
        "I write here my advance directives, for the case where I could no longer express my"
        " wishes."
    ),
    "Je bénéficie d'une mesure de protection juridique avec représentation relative à la"
    " personne, et j'ai l'autorisation du juge (référence : %(reference)s).": (
        "I am under a legal protection measure with representation of my person, and I have the"
        " authorisation of the judge (reference: %(reference)s)."
    ),
    "Je bénéficie d'une mesure de protection juridique avec représentation relative à la"
    " personne, et j'ai l'autorisation du conseil de famille (référence : %(reference)s).": (
        "I am under a legal protection measure with representation of my person, and I have the"
        " authorisation of the family council (reference: %(reference)s)."
    ),
    "Je bénéficie d'une mesure de protection juridique avec représentation relative à la"
    " personne. L'autorisation du juge ou du conseil de famille n'est pas renseignée.": (
        "I am under a legal protection measure with representation of my person. The"
        " authorisation of the judge or of the family council is not stated."
    ),
    "Ma situation": "My situation",
    "Je rédige ces directives compte tenu de ma maladie, pour le cas où je ne serais plus en"
    " mesure de m'exprimer.": (
        "I write these directives in view of my illness, for the case where I could no longer"
        " express myself."
    ),
    "Je rédige ces directives pour le cas où, à la suite d'un accident grave ou d'une maladie"
    " grave, je ne serais plus en mesure de m'exprimer.": (
        "I write these directives for the case where, after a serious accident or a serious"
        " illness, I could no longer express myself."
    ),
    "Les situations dans lesquelles je risque de me trouver": "Situations I may find myself in",
    "Par exemple : un coma en phase terminale de ma maladie. J'indique notamment si j'accepte"
    " ou si je refuse d'être maintenu(e) artificiellement en vie si j'étais définitivement"
    " inconscient(e).": (
        "For example: a coma in the terminal phase of my illness. In particular, I state whether"
        " I accept or refuse to be kept alive artificially if I were permanently unconscious."
    ),
    "Par exemple : un coma prolongé jugé irréversible. J'indique notamment si j'accepte ou si"
    " je refuse d'être maintenu(e) artificiellement en vie si j'étais définitivement"
    " inconscient(e).": (
        "For example: a prolonged coma judged irreversible. In particular, I state whether I"
        " accept or refuse to be kept alive artificially if I were permanently unconscious."
    ),
    "Les traitements et actes médicaux": "Medical treatments and procedures",
    "J'indique si j'accepte ou si je refuse que les traitements suivants soient entrepris,"
    " poursuivis, limités ou arrêtés, notamment ceux qui me maintiendraient artificiellement"
    " en vie :": (
        "I state whether I accept or refuse that the following treatments be started,"
        " continued, limited or stopped, in particular those that would keep me alive"
        " artificially:"
    ),
    "Mes volontés sur les traitements": "My wishes about treatments",
    "Traitement": "Treatment",
    "Ma volonté": "My wish",
    "Je n'ai pas exprimé de volonté sur un traitement en particulier.": (
        "I have not stated a wish about any particular treatment."
    ),
    "Autres traitements ou actes médicaux": "Other treatments or medical procedures",
    "Sédation profonde et continue jusqu'au décès": "Deep and continuous sedation until death",
    "Si mes traitements sont arrêtés, j'indique si je souhaite ou non une sédation profonde et"
    " continue, associée à un traitement de la douleur, jusqu'à mon décès :": (
        "If my treatments are stopped, I state whether or not I want deep and continuous"
        " sedation, with pain relief, until my death:"
    ),
    "Mes autres souhaits": "My other wishes",
    "Lieu où je souhaite finir ma vie, souhaits spirituels ou religieux, personnes à prévenir…": (
        "Where I wish to spend the end of my life, spiritual or religious wishes, people to inform…"
    ),
    "Ma personne de confiance": "My trusted person",
    "Ma personne de confiance est %(name)s.": "My trusted person is %(name)s.",
    "Téléphone : %(phone)s": "Phone: %(phone)s",
    "Adresse e-mail : %(email)s": "Email: %(email)s",
    "Je ne mentionne pas de personne de confiance dans ces directives.": (
        "I do not name a trusted person in these directives."
    ),
    "Témoins": "Witnesses",
    "Je suis dans l'impossibilité physique d'écrire seul(e) mes directives. Les deux témoins"
    " ci-dessous attestent qu'elles sont l'expression de ma volonté libre et éclairée :": (
        "I am physically unable to write my directives myself. The two witnesses below attest"
        " that they express my free and informed wishes:"
    ),
    "Les deux témoins ci-dessous attestent que ces directives sont l'expression de ma volonté"
    " libre et éclairée :": (
        "The two witnesses below attest that these directives express my free and informed wishes:"
    ),
    "%(name)s, %(capacity)s": "%(name)s, %(capacity)s",
    "%(name)s, %(capacity)s (ma personne de confiance)": (
        "%(name)s, %(capacity)s (my trusted person)"
    ),
    "Lieu, date et signature": "Place, date and signature",
    "Fait à %(place)s, le %(date)s.": "Done at %(place)s, on %(date)s.",
    "Signé électroniquement par %(name)s le %(moment)s (après ré-authentification).": (
        "Signed electronically by %(name)s on %(moment)s (after signing in again)."
    ),
    "Signé électroniquement le %(moment)s (après ré-authentification), avec la signature"
    " manuscrite ci-dessous.": (
        "Signed electronically on %(moment)s (after signing in again), with the handwritten"
        " signature below."
    ),
    "Signature manuscrite de %(name)s": "Handwritten signature of %(name)s",
    "Pas encore signé.": "Not signed yet.",
    "Directives anticipées de %(name)s, version %(version)s. Révisables et révocables à tout"
    " moment : la version la plus récente prévaut.": (
        "Advance directives of %(name)s, version %(version)s. They can be changed or revoked at"
        " any time: the most recent version prevails."
    ),
    "Directives anticipées de %(name)s, brouillon. Révisables et révocables à tout moment : la"
    " version la plus récente prévaut.": (
        "Advance directives of %(name)s, draft. They can be changed or revoked at any time: the"
        " most recent version prevails."
    ),
    "La signature dessinée n'a pas pu être lue. Dessinez-la de nouveau.": (
        "The drawn signature could not be read. Draw it again."
    ),
    # trusted_person.py
    "Un membre de ma famille": "A member of my family",
    "Un proche": "Someone close to me",
    "Mon médecin traitant": "My regular doctor (médecin traitant)",
    "Saisissez le nom de famille de cette personne.": "Enter this person's surname.",
    "Saisissez le prénom de cette personne.": "Enter this person's first name.",
    "Indiquez qui est cette personne pour vous : un membre de votre famille, un proche ou"
    " votre médecin traitant.": (
        "Say who this person is to you: a member of your family, someone close to you or your"
        " regular doctor."
    ),
    "Confirmez que cette personne est majeure : seul un adulte peut être désigné.": (
        "Confirm that this person is an adult: only an adult can be named."
    ),
    # versions.py
    "Vous n'avez pas de directives anticipées en vigueur à révoquer.": (
        "You have no advance directives in force to revoke."
    ),
    "Cette version de vos directives est introuvable.": (
        "This version of your directives cannot be found."
    ),
    "Cette version de vos directives est déjà révoquée.": (
        "This version of your directives is already revoked."
    ),
}
