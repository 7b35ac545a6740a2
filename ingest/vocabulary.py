"""The words metadata inference looks for: publishers, document types, topics, generic headings."""

from __future__ import annotations

import re

DOC_TYPE_ALIASES: dict[str, str] = {
    "statutory": "statutory guidance",
    "guidance": "practice guidance",
    "practice": "practice guidance",
    "practice guide": "practice guidance",
    "research": "research report",
    "evaluation": "research report",
    "report": "research report",
    "review": "systematic review",
    "evidence review": "systematic review",
    "inspection": "inspection report",
    "ofsted": "inspection report",
    "data spec": "data specification",
    "technical guidance": "data specification",
    "technical specification": "data specification",
    "data guidance": "data specification",
    "data collection guide": "data specification",
}


# Known publishers, matched case-sensitively so that the phrase "research in practice" is no name.
_PUBLISHER_PATTERNS = {
    "Department for Education": r"Department for Education|\bDfE\b|contact-dfe|"
    r"education\.(?:gsi\.)?gov\.uk",
    "Ofsted": r"\bOfsted\b|Office for Standards in Education|"
    r"Inspection of [\w ,'-]{1,80}local authority children's services",
    "Care Quality Commission": r"Care Quality Commission|\bCQC\b",
    "HM Inspectorate of Constabulary and Fire & Rescue Services": r"Inspectors? of Constabulary|"
    r"Inspectorate of Constabulary|\bHMICFRS\b",
    "HM Inspectorate of Probation": r"Inspectorate of Probation|\bHMIP\b",
    "Foundations": r"Foundations[,:]? (?:the )?What Works Centre|"
    r"What Works Centre for Children (?:&|and) Families",
    "What Works for Children's Social Care": r"What Works (?:Centre )?for Children's Social Care",
    "NSPCC": r"\bNSPCC\b|National Society for the Prevention of Cruelty",
    "Research in Practice": r"Research in Practice\b",
    "Local Government Association": r"Local Government Association",
    "Social Finance": r"Social Finance\b|socialfinance\.org",
    "Data to Insight": r"Data to Insight|datatoinsight",
    "Nuffield Family Justice Observatory": r"Nuffield Family Justice Observatory|Nuffield FJO",
    "Department of Health and Social Care": r"Department of Health and Social Care|\bDHSC\b",
    "Home Office": r"\bHome Office\b",
    "Ministry of Justice": r"Ministry of Justice",
    "Association of Directors of Children's Services": r"Association of Directors of Children's|"
    r"\bADCS\b",
    "Children's Commissioner for England": r"Children's Commissioner\b",
    "Social Work England": r"Social Work England",
    "Child Safeguarding Practice Review Panel": r"Child Safeguarding Practice Review Panel",
    "Cafcass": r"\bCafcass\b",
    "National Children's Bureau": r"National Children's Bureau",
    "Barnardo's": r"\bBarnardo's\b",
    "Early Intervention Foundation": r"Early Intervention Foundation",
}
PUBLISHERS = {name: re.compile(pattern) for name, pattern in _PUBLISHER_PATTERNS.items()}

# First match wins, top to bottom; the module docstring says why this order.
_DOC_TYPE_PATTERNS = {
    "inspection report": r"joint targeted area inspection|inspection of [\w ,'-]{0,80}children's "
    r"services|inspection report|inspection dates?:",
    "statutory guidance": r"(?<!non-)(?<!non )statutory guidance (?:for|on|from)\b|"
    r"this is statutory guidance|must have regard to",
    "data specification": r"technical specification|data specification|business and technical|"
    r"\bcensus\b.{0,40}\bguide\b|guide to the .{0,60}(?:census|return|data collection)|"
    r"data dictionary|dashboard supporting information|technical guidance",
    "systematic review": r"systematic review|meta-analys[ie]s|rapid evidence (?:review|assessment)|"
    r"scoping review",
    "research report": r"\bevaluation\b|research report|final report|we interviewed|\bfindings\b|"
    r"methodology|\bsurvey of",
    "practice guidance": r"\bguidance\b|\badvice\b|toolkit|playbook|\bpractice (?:guide|note)|"
    r"\bguide\b",
}
DOC_TYPE_RULES = {kind: re.compile(pattern, re.I) for kind, pattern in _DOC_TYPE_PATTERNS.items()}

_TOPIC_PATTERNS = {
    "reducing the need for care": r"edge of care|family help|family group (?:conferenc\w*|"
    r"decision[- ]making)|FGCs?|kinship|(?:entry|entering|enter|entries) (?:in)?to care|need for "
    r"care|reunification|family networks?|early help|special guardianship|care proceedings",
    "supervision and decision-making": r"supervision|supervisors?|decision[- ]making|management "
    r"oversight|practice leaders?|team managers?|reflective practice",
    "front door": r"front door|referrals?|MASH|multi-agency safeguarding hub|contacts|initial "
    r"(?:need and risk|contact)|safeguarding concerns?|multi-agency|triage|strategy "
    r"(?:discussion|meeting)s?|section 47",
    "workforce wellbeing and retention": r"caseloads?|turnover|agency (?:social )?workers?|agency "
    r"staff|vacanc(?:y|ies)|burn-?out|(?:staff|worker|practitioner)s?'? well-?being|retention|"
    r"retain\w*|recruitment|workforce|sickness absence",
    "looked-after children": r"looked[- ]after|children in care|care leavers?|foster(?:ing|ed| "
    r"care)|residential care|children's homes?|corporate parent\w*|virtual school",
    "adoption": r"adoptions?|adopt(?:ed|ive|ers?)|placement orders?",
    "education": r"schools?|(?<!Department for )(?<!Standards in )education|designated teacher|"
    r"exclusions?|attendance|personal education plans?",
    "information sharing": r"information sharing|shar(?:e|ing) information|data protection|GDPR|"
    r"confidentiality|consent",
    "domestic abuse": r"domestic abuse|domestic violence|coercive control|MARAC|perpetrators?",
    "data and performance": r"performance data|dashboards?|census|indicators?|datasets?|data "
    r"quality|performance management|benchmark\w*|data items?|metrics",
}
TOPIC_RULES = {t: re.compile(rf"\b(?:{p})\b", re.I) for t, p in _TOPIC_PATTERNS.items()}

GENERIC_HEADINGS = frozenset(
    ["context", "contents", "introduction", "foreword", "summary", "executive summary",
     "overview", "background", "about this guidance", "about this report", "preface",
     "acknowledgements", "key points", "table of contents"]
)  # fmt: skip
