"""Build the sample library's PDF and DOCX files from the text in this script.

Run from anywhere: `python scripts/build_samples.py`. Everything here is fictional sample material.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from docx import Document as DocxDocument
from fpdf import FPDF

HERE = Path(__file__).resolve().parents[1] / "samples"
NOTICE = (
    "Illustrative sample material written for the evidence-bot project. It is not research "
    "evidence and must not be used to inform practice. Westmere and every person, service and "
    "number in it are invented."
)
AUTHOR = "Westmere Practice Development Team (fictional)"

# Each document is (file stem, title, subtitle, footer, body); body items are (kind, text) with
# kind one of h2, h3, p, bullet. fpdf2's core fonts are latin-1, so the text stays plain ASCII.
FGC_EVALUATION = (
    "fgc-edge-of-care-evaluation",
    "Family group conferences at the edge of care",
    "An evaluation of the Westmere family group conference service (fictional), March 2024",
    "Westmere FGC evaluation - fictional sample - evidence-bot sample library",
    [
        ("h2", "Summary"),
        (
            "p",
            "Between April 2021 and March 2023 the Westmere family group conference (FGC) "
            "service offered a conference to 312 families whose children were at the edge of care. "
            "We compared what happened to these children with 298 children in similar families "
            "referred in the two years before the service began.",
        ),
        (
            "bullet",
            "Within 12 months of referral, 14% of children in families offered a family "
            "group conference entered care, compared with 21% in the comparison group.",
        ),
        (
            "bullet",
            "71% of families offered a conference took part in one. The median time from "
            "referral to conference was 19 working days.",
        ),
        (
            "bullet",
            "When children did enter care, 46% were placed with relatives (kinship care), "
            "compared with 29% in the comparison group.",
        ),
        (
            "bullet",
            "Families and social workers said private family time was the most valuable "
            "part of the conference.",
        ),
        ("h2", "What the service offered"),
        (
            "p",
            "An independent coordinator, who was not the family's social worker, met the "
            "parents, the child and each relative or friend the family wanted to invite. The "
            "conference had three stages: information sharing, in which professionals explained "
            "their worries plainly and without jargon; private family time, in which the family "
            "met alone to make a plan; and agreeing the plan, in which the social worker checked "
            "that the plan kept the child safe. A review conference took place after three months.",
        ),
        ("h2", "How we evaluated it"),
        (
            "p",
            "We compared entry to care within 12 months for the two groups, adjusting for the "
            "child's age, previous referrals and the main reason for referral. We interviewed 24 "
            "family members and 18 practitioners, and read 60 family plans. The evaluation was not "
            "randomised: thresholds and the wider service changed over the period, so the "
            "comparison group is only an approximate guide to what would otherwise have happened.",
        ),
        ("h2", "Findings"),
        ("h3", "Do family group conferences reduce entry to care?"),
        (
            "p",
            "After adjustment, children in families offered a conference were an estimated 5 "
            "percentage points less likely to enter care within 12 months (95% confidence interval "
            "1 to 9 points). This is encouraging but not conclusive evidence that the service "
            "safely reduced the need for care, and the effect was smaller than the raw difference "
            "of 7 points.",
        ),
        ("h3", "Which families benefited most"),
        (
            "p",
            "Timing mattered most. Where the conference took place before the pre-proceedings "
            "stage, 11% of children entered care within 12 months; where it took place during "
            "pre-proceedings, 24% did. Families who named five or more people in their network "
            "were more likely to produce a plan that lasted to the review conference (78% against "
            "52%).",
        ),
        ("h3", "Family plans"),
        (
            "p",
            "83% of plans named at least one relative taking on a practical task, such as the "
            "school run, respite at weekends or a daily phone call. Plans that said who would do "
            "what, and when, were more often still in place at review than plans that only stated "
            "intentions.",
        ),
        ("h3", "What practitioners said"),
        (
            "p",
            "Social workers said the conference changed the conversation with families from "
            "compliance to planning. Several said they had not known about grandparents, aunts or "
            "family friends who came forward at the conference. Some worried that plans relied too "
            "heavily on one relative, usually a grandmother.",
        ),
        ("h2", "Implications for practice"),
        ("bullet", "Offer a conference early, before pre-proceedings, rather than as a last step."),
        ("bullet", "Use independent coordinators and protect private family time."),
        ("bullet", "Ask who else is in the family network before deciding the network is small."),
        ("bullet", "Review every plan at three months and check the load on each relative."),
        ("h2", "Limitations"),
        (
            "p",
            "This is a fictional sample evaluation. The numbers are invented to test the "
            "evidence-bot and say nothing about real family group conference services.",
        ),
    ],
)

GROUP_SUPERVISION_REVIEW = (
    "group-supervision-rapid-review",
    "Group supervision and decision-making",
    "A rapid evidence review (fictional), September 2023",
    "Group supervision rapid review - fictional sample - evidence-bot sample library",
    [
        ("h2", "Why we did this review"),
        (
            "p",
            "Team managers in Westmere asked whether group supervision improves the quality "
            "and consistency of decisions about children. This rapid evidence review summarises "
            "nine invented studies of group supervision and group case discussion in children's "
            "social care, published between 2012 and 2022.",
        ),
        ("h2", "How we searched"),
        (
            "p",
            "We describe a search of three databases for studies of group supervision, "
            "systemic case discussion or group decision-making with social workers in child "
            "protection or child in need teams. Two reviewers screened each study. The studies, "
            "like the review, are fictional.",
        ),
        ("h2", "What we found"),
        ("h3", "Consistency of decisions"),
        (
            "p",
            "Four studies compared decisions made in groups with decisions made by one worker "
            "and their manager. Groups disagreed less often when they used a shared structure: in "
            "the largest study, two groups reading the same case records reached the same "
            "threshold decision in 81% of cases when they used a structured discussion, against "
            "64% without one.",
        ),
        ("h3", "Challenging early assumptions"),
        (
            "p",
            "Three studies found that groups were more likely to question a first hypothesis "
            "when one member was asked to argue for another explanation, and when the child's "
            "daily experience was described before risk factors were discussed. Without these "
            "habits, groups sometimes strengthened the first view offered by the most senior "
            "person in the room.",
        ),
        ("h3", "Effects on practitioners"),
        (
            "p",
            "Practitioners in five studies said group supervision reduced isolation and "
            "helped them learn from colleagues. Two studies reported that it added to workload "
            "when it was held on top of individual supervision rather than as part of it.",
        ),
        ("h2", "What this means for team managers"),
        (
            "bullet",
            "Use a simple shared structure: the child's experience, what we know, what "
            "we do not know, hypotheses, and the decision with its reasons.",
        ),
        ("bullet", "Ask one person to argue for a different explanation in every discussion."),
        ("bullet", "Record the decision, who made it and why, on the child's file the same day."),
        ("bullet", "Treat group supervision as part of supervision time, not an extra meeting."),
        ("h2", "Strength of the evidence"),
        (
            "p",
            "The invented studies are small and mostly qualitative, and none was randomised. "
            "This review is sample material for testing the evidence-bot only.",
        ),
    ],
)

REFLECTIVE_SUPERVISION = (
    "reflective-supervision-guide",
    "Reflective supervision: a practice guide for team managers",
    "Westmere children's services (fictional), practice guide, January 2025",
    "",
    [
        ("h2", "Why reflective supervision matters"),
        (
            "p",
            "Supervision is where a social worker's thinking about a child is tested and where "
            "decisions are made and recorded. Reflective supervision gives equal weight to "
            "accountability, the practitioner's development and their wellbeing. Social workers "
            "who say they get regular reflective supervision are more likely to say they intend to "
            "stay in their jobs.",
        ),
        ("h2", "Before the session"),
        (
            "bullet",
            "Book supervision at least every four weeks for experienced social workers and "
            "every two weeks for newly qualified social workers in their first six months.",
        ),
        (
            "bullet",
            "Protect 90 minutes in a private room. Do not cancel for anything short of an "
            "emergency, and rebook within the same week if you must.",
        ),
        (
            "bullet",
            "Agree the agenda together: which children to discuss, what the worker wants "
            "help with, and how they are doing.",
        ),
        ("h2", "How a team lead should run reflective supervision"),
        (
            "p",
            "Work through four stages for each child you discuss, in this order, and do not "
            "jump to actions too quickly.",
        ),
        (
            "bullet",
            "Experience: ask the worker to describe what happened on their last visit and "
            "what the child's day is like. Ask what the child said and did.",
        ),
        (
            "bullet",
            "Reflection: ask how the worker felt and what surprised them. Feelings are "
            "information; anxiety or hope can point to something not yet named.",
        ),
        (
            "bullet",
            "Analysis: ask what explains what we are seeing. Name at least two hypotheses "
            "and the evidence for and against each. Ask what we would expect to see if we were "
            "wrong.",
        ),
        (
            "bullet",
            "Action: agree what will happen next, by whom and by when, and how we will "
            "know whether it has helped the child.",
        ),
        ("h2", "Decision-making in supervision"),
        (
            "p",
            "Record each decision with its reasons, the options considered and the views of "
            "the child and family. Watch for common biases: holding on to a first impression, "
            "being reassured by a cooperative parent, and treating a lack of new information as "
            "good news. If a decision changes the plan for a child, the manager should say so "
            "explicitly and record it on the child's file within one working day.",
        ),
        ("h2", "Separate case management from reflection"),
        (
            "p",
            "Checking timescales and tasks is necessary but it is not reflection. Spend no more "
            "than a third of the session on case management, or hold it separately.",
        ),
        ("h2", "Wellbeing and workload"),
        (
            "p",
            "End every session by asking how the worker is, what their caseload feels like and "
            "whether anything from their work is staying with them at home. Act on what you hear: "
            "reallocate work, offer time back after a difficult visit, or arrange support.",
        ),
        ("h2", "Looking after the supervisor"),
        (
            "p",
            "Team managers need reflective supervision too. Heads of service should give "
            "managers the same protected time, and group supervision among managers can help.",
        ),
        ("h2", "Checklist"),
        ("bullet", "Session booked and protected; agenda agreed."),
        ("bullet", "Each child discussed through experience, reflection, analysis and action."),
        ("bullet", "Decisions and reasons recorded on the child's file within one working day."),
        ("bullet", "Wellbeing and workload discussed, with actions agreed."),
    ],
)


class SamplePdf(FPDF):
    """An A4 PDF with a running footer naming the document and the page."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 10, f"{self.footer_text} - page {self.page_no()}", align="C")


def write_pdf(document: tuple, folder: Path) -> Path:
    """Render one document to PDF with its notice boxed under the title."""
    stem, title, subtitle, footer, body = document
    pdf = SamplePdf(format="A4")
    pdf.footer_text = footer
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_subject(subtitle)
    pdf.set_creation_date(datetime(2025, 1, 1, tzinfo=UTC))  # fixed, so rebuilds are identical
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 7, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 10)
    pdf.multi_cell(0, 6, NOTICE, border=1, padding=2, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    sizes = {"h2": ("B", 14, 8), "h3": ("B", 12, 7), "p": ("", 11, 6), "bullet": ("", 11, 6)}
    for kind, text in body:
        style, size, height = sizes[kind]
        if kind.startswith("h"):
            pdf.ln(2)
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(
            0, height, f"- {text}" if kind == "bullet" else text, new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(1)
    path = folder / f"{stem}.pdf"
    pdf.output(str(path))
    return path


def write_docx(document: tuple, folder: Path) -> Path:
    """Render one document to DOCX with real heading styles and core properties."""
    stem, title, subtitle, _, body = document
    docx = DocxDocument()
    docx.core_properties.title = title
    docx.core_properties.author = AUTHOR
    docx.core_properties.subject = subtitle
    docx.add_heading(title, level=1)
    docx.add_paragraph(subtitle)
    docx.add_paragraph().add_run(NOTICE).bold = True
    for kind, text in body:
        if kind == "h2":
            docx.add_heading(text, level=2)
        elif kind == "h3":
            docx.add_heading(text, level=3)
        elif kind == "bullet":
            docx.add_paragraph(text, style="List Bullet")
        else:
            docx.add_paragraph(text)
    path = folder / f"{stem}.docx"
    docx.save(str(path))
    return path


def main() -> None:
    for document in (FGC_EVALUATION, GROUP_SUPERVISION_REVIEW):
        print(write_pdf(document, HERE))
    print(write_docx(REFLECTIVE_SUPERVISION, HERE))


if __name__ == "__main__":
    main()
