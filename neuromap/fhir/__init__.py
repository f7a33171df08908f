"""FHIR R4 in and out: read a case from Observations or a questionnaire, write the result as a ClinicalImpression.

Install the optional extra (``pip install "neuromap-atlas[fhir]"``, which brings
`fhir.resources <https://pypi.org/project/fhir.resources/>`_) to validate resources; reading
and writing need only the standard library. ``docs/fhir.md`` shows the mapping of every element.

Functions
---------
localize_fhir
    A Bundle of Observations or a QuestionnaireResponse in, a Bundle holding the
    ClinicalImpression (and a Flag per red flag) out: what ``POST /fhir/localize`` calls.
read_bundle, read_questionnaire_response
    A case read from FHIR, with where each finding came from (:class:`FhirCase`).
case_to_bundle
    A case written as a Bundle of Observations.
clinical_impression
    A :class:`~neuromap.Localization` written as a ClinicalImpression.
questionnaire
    The lower-limb symptom questionnaire neuromap ships (a FHIR Questionnaire).
validate
    Check a resource against the FHIR R4 structure (fhir.resources).

A case through FHIR and back, in three calls:

>>> import neuromap.fhir as nf
>>> bundle = nf.case_to_bundle({"side": "left", "sensory": [{"regions": ["first web space"]}],
...                             "motor": [{"name": "great toe extension", "grade": 3}]})
>>> out = nf.localize_fhir(bundle)
>>> [e["resource"]["resourceType"] for e in out["entry"]]
['ClinicalImpression']
>>> out["entry"][0]["resource"]["finding"][0]["itemCodeableConcept"]["coding"][0]["code"]
'root:L5'
"""

from neuromap.fhir._common import validate
from neuromap.fhir.impression import clinical_impression
from neuromap.fhir.localize import localize_fhir
from neuromap.fhir.observations import FhirCase, case_to_bundle, read_bundle
from neuromap.fhir.questionnaire import questionnaire, read_questionnaire_response

__all__ = ["FhirCase", "case_to_bundle", "clinical_impression", "localize_fhir", "questionnaire", "read_bundle",
           "read_questionnaire_response", "validate"]
