"""知识库 pages of the workbench: search (as you type), entry detail, create/edit, version
history, the centre's moderation queue, the owners' 待复核 list, xlsx import/export, and
the intake form's suggestion fragment."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hotline.common import downloads
from hotline.common.http import page_param, safe_next
from hotline.knowledge import actions, index, xlsx
from hotline.knowledge import queries as q
from hotline.knowledge.choices import STATES, TRANSITIONS
from hotline.knowledge.forms import EntryForm, ImportForm, NoteForm
from hotline.knowledge.models import Entry
from hotline.org.models import Unit
from hotline.rules import limits
from hotline.web.views.common import run_action, staff_required

PAGE = 30


def _entry(request, pk: int) -> Entry:
    entry = (
        q.visible_entries(request.user)
        .select_related("category", "owner_unit", "created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404("知识条目不存在或无权查看")
    return entry


def _results(request, query: str, limit: int = 10) -> list[index.Result]:
    return index.search(request.user, query, limit=limit) if query.strip() else []


@staff_required
def search_page(request):
    query = request.GET.get("q", "").strip()[: limits.SEARCH_QUERY]
    ctx = {
        "q": query,
        "can_author": q.can_author(request.user),
        "is_centre": q.is_centre(request.user),
    }
    if query:
        ctx["results"] = _results(request, query, 20)
    else:
        entries = q.visible_entries(request.user).select_related("category", "owner_unit")
        state = request.GET.get("state", "")
        if state in STATES:
            entries = entries.filter(state=state)
        ctx["state"] = state
        ctx["states"] = STATES.choices()
        ctx["page"] = Paginator(entries, PAGE).get_page(page_param(request))
    if request.headers.get("HX-Request") and request.GET.get("fragment"):
        return render(request, "knowledge/_results.html", ctx)
    return render(request, "knowledge/search.html", ctx)


@staff_required
def suggest(request):
    """htmx fragment of the intake form: entries for what the agent searched, or else for
    the appeal's title and content as they are typed (valid published entries only)."""
    query = (request.GET.get("knowledge_q") or "").strip()[: limits.SEARCH_QUERY]
    from_appeal = not query
    if from_appeal:
        # what the agent is typing: at most as much as an order may hold
        query = " ".join(request.GET.get(k, "") for k in ("title", "content")).strip()
        query = query[: limits.ORDER_TEXT_BY_FIELD["content"].everywhere]
    results = _results(request, query, 5)
    if from_appeal:
        from hotline.nlp.text import meaningful_terms

        # suggested unasked: only on a meaningful match, never on 找, 不, 路 or 老人 alone
        results = [r for r in results if meaningful_terms(r.hit.matched_terms)]
    return render(
        request,
        "knowledge/_suggest.html",
        {"results": results, "q": query, "from_appeal": from_appeal},
    )


@staff_required
def detail(request, pk: int):
    entry = _entry(request, pk)
    user = request.user
    can_edit = q.can_edit(user, entry)
    moves = []
    for action, (sources, _target, who, label) in TRANSITIONS.items():
        if entry.state in sources and can_edit and (who != "centre" or q.is_centre(user)):
            moves.append((action, label))
    return render(
        request,
        "knowledge/detail.html",
        {
            "entry": entry,
            "can_edit": can_edit,
            "moves": moves,
            "note_form": NoteForm(),
            "valid_today": entry.is_valid_on(q.today()),
            "stale": entry.is_stale_on(q.today()),
            "attachments": list(entry.attachments.all()),
            "uses": entry.uses.select_related("order", "actor")[:10],
        },
    )


def _save(request, entry: Entry | None):
    user = request.user
    if entry is None and not q.can_author(user):
        raise PermissionDenied("只有承办单位和热线中心可以维护知识库")
    if entry is not None and not q.can_edit(user, entry):
        raise PermissionDenied("只能维护本单位及下级单位的知识条目")
    initial = {}
    if entry is not None:
        initial = {
            "title": entry.title,
            "questions": entry.questions,
            "keywords": entry.keywords,
            "answer": entry.answer,
            "category": entry.category.code,
            "owner_unit": entry.owner_unit.code,
            "effective_from": entry.effective_from.isoformat(),
            "expires_on": entry.expires_on.isoformat() if entry.expires_on else "",
            "review_on": entry.review_on.isoformat() if entry.review_on else "",
        }
    elif user.unit_id and user.effective_role == "unit":
        initial = {"owner_unit": user.unit.code}
    form = EntryForm(user, request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data.get("attachment")

            def save():
                if entry is None:
                    saved = actions.do_create(user, form.values())
                else:
                    saved = actions.do_update(entry, user, form.values())
                if upload:
                    try:
                        actions.do_attach(saved, user, upload)
                    except actions.ValidationFailed as exc:
                        raise actions.ValidationFailed(
                            {"attachment": exc.fields.get("file", exc.message)}
                        ) from None
                return saved

            outcome = run_action(save)
            if outcome.ok:
                messages.success(request, f"知识条目已保存：{outcome.result.title}")
                return redirect("knowledge:detail", pk=outcome.result.pk)
            if outcome.validation is not None:
                form.show_errors(outcome.validation)
            status = outcome.status
        else:
            status = 422
    return render(request, "knowledge/form.html", {"form": form, "entry": entry}, status=status)


@staff_required
def create(request):
    return _save(request, None)


@staff_required
def edit(request, pk: int):
    return _save(request, _entry(request, pk))


@staff_required
@require_POST
def transition(request, pk: int, action: str):
    entry = _entry(request, pk)
    if action not in TRANSITIONS:
        raise Http404("未知操作")
    note = request.POST.get("note", "")
    outcome = run_action(actions.do_transition, entry, request.user, action, note=note)
    if outcome.ok:
        messages.success(
            request, f"{TRANSITIONS[action][3]}：{entry.title}（{outcome.result.state_label}）"
        )
    elif outcome.validation is not None:
        messages.error(
            request, "；".join(outcome.validation.fields.values()) or outcome.validation.message
        )
    else:
        messages.error(request, outcome.conflict)
    return redirect(
        safe_next(
            request, request.POST.get("next"), reverse("knowledge:detail", kwargs={"pk": entry.pk})
        )
    )


@staff_required
def versions(request, pk: int):
    entry = _entry(request, pk)
    return render(
        request,
        "knowledge/versions.html",
        {"entry": entry, "versions": entry.versions.select_related("actor")},
    )


@staff_required
def attachment(request, pk: int, att: int):
    entry = _entry(request, pk)
    row = entry.attachments.filter(pk=att).first()
    if row is None:
        raise Http404("附件不存在")
    return downloads.file_response(row)


@staff_required
def moderation(request):
    """The centre's queue: entries units submitted for publication (§4.2 c)."""
    if not q.is_centre(request.user):
        raise PermissionDenied("知识审核由热线中心负责")
    entries = Entry.objects.filter(state="pending").select_related(
        "category", "owner_unit", "updated_by"
    )
    return render(
        request,
        "knowledge/moderation.html",
        {"entries": entries.order_by("updated_at"), "note_form": NoteForm()},
    )


@staff_required
def stale(request):
    """待复核: the owner's entries past their review date (the centre sees every unit's,
    optionally one unit and its sub-units with ``?unit=<code>``)."""
    user = request.user
    if not (q.is_centre(user) or user.effective_role in ("unit", "leader")):
        raise PermissionDenied("您的角色无权访问此页面")
    day = q.today()
    entries = q.stale_entries(day).select_related("category", "owner_unit")
    unit = None
    if code := request.GET.get("unit"):
        unit = Unit.objects.filter(code=code).first()
    if user.effective_role == "unit":
        if user.unit is None:
            entries = entries.none()
        else:
            if unit is None or not unit.path.startswith(user.unit.path):
                unit = user.unit
    if unit is not None:
        entries = entries.filter(owner_unit__path__startswith=unit.path)
    return render(
        request,
        "knowledge/stale.html",
        {
            "rows": [(e, (day - e.review_on).days) for e in entries.order_by("review_on", "pk")],
            "unit": unit,
        },
    )


@staff_required
def export_xlsx(request):
    entries = (
        q.visible_entries(request.user).select_related("category", "owner_unit").order_by("pk")
    )
    if request.GET.get("mine") and request.user.unit_id and request.user.effective_role == "unit":
        entries = entries.filter(owner_unit__path__startswith=request.user.unit.path)
    response = HttpResponse(
        xlsx.export(entries.iterator(chunk_size=1000)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"知识库-{q.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@staff_required
def import_xlsx(request):
    if not q.can_author(request.user):
        raise PermissionDenied("只有承办单位和热线中心可以导入知识条目")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        result = xlsx.import_entries(request.user, form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，发布 {result.published} 条",
            )
            return redirect(reverse("knowledge:search"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render(request, "knowledge/import.html", {"form": form, "result": result}, status=status)
