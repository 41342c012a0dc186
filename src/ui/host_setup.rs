//! Set up: start a meeting (demo, new, imported file, restored backup) and edit it until
//! voting opens.

use leptos::prelude::*;

use super::host_app::host_context;
use super::{Bilingual, MeetingOverview, Said};
use crate::browser::file::with_chosen_file;
use crate::browser::platform;
use crate::domain::collect::{HostMeeting, HostStateV1, Phase};
use crate::domain::demo::demo_meeting;
use crate::domain::meeting::{AspectV1, Meeting, MeetingField, MeetingFileV1, default_meeting_file};
use crate::domain::table_text::{parse_roster, roster_text};

/// The set-up step.
#[component]
pub fn HostSetup() -> impl IntoView {
    let ctx = host_context();
    let phase = {
        let ctx = ctx.clone();
        move || ctx.with_host(HostMeeting::phase)
    };
    let creating = RwSignal::new(None::<MeetingFileV1>);
    move || match phase() {
        None => match creating.get() {
            Some(file) => view! { <EditMeeting initial=file /> }.into_any(),
            None => view! { <StartMeeting creating=creating /> }.into_any(),
        },
        Some(Phase::Setup) => {
            let file = ctx
                .with_host(|h| h.meeting().to_file())
                .unwrap_or_else(|| demo_meeting().to_file());
            view! { <EditMeeting initial=file /> }.into_any()
        }
        Some(_) => {
            let meeting = ctx
                .with_host(|h| h.meeting().clone())
                .unwrap_or_else(demo_meeting);
            view! {
                <section class="screen">
                    <p class="notice" data-state="waiting">
                        <Bilingual zh="投票已开放，会议内容已固定。" en="Voting is open; the meeting is fixed." />
                    </p>
                    <MeetingOverview meeting=meeting />
                </section>
            }
            .into_any()
        }
    }
}

/// No meeting yet: the demo, a new one, a meeting file, or a backup.
#[component]
fn StartMeeting(creating: RwSignal<Option<MeetingFileV1>>) -> impl IntoView {
    let ctx = host_context();
    let message = RwSignal::new(None::<String>);
    let start = {
        let ctx = ctx.clone();
        move |meeting: Meeting| {
            if let Err(e) = ctx.start(meeting) {
                message.set(Some(e));
            }
        }
    };
    let start_demo = start.clone();
    let start_file = start.clone();
    let ctx_backup = ctx.clone();
    let on_meeting_file = move |ev: leptos::ev::Event| {
        let start = start_file.clone();
        with_chosen_file(&ev, move |result| {
            match result.and_then(|(_, text)| Meeting::from_json(&text).map_err(|e| e.to_string())) {
                Ok(meeting) => start(meeting),
                Err(e) => message.set(Some(e)),
            }
        });
    };
    let on_backup = move |ev: leptos::ev::Event| {
        let ctx = ctx_backup.clone();
        with_chosen_file(&ev, move |result| {
            let outcome = result.and_then(|(_, text)| {
                serde_json::from_str::<HostStateV1>(&text)
                    .map_err(|e| format!("不是会议备份文件：{e} — not a meeting backup: {e}"))
                    .and_then(|state| HostMeeting::from_state(state).map_err(|e| e.to_string()))
            });
            match outcome {
                Ok(host) => {
                    ctx.host.set(Some(host));
                    ctx.act(|_| ());
                }
                Err(e) => message.set(Some(e)),
            }
        });
    };
    let new_meeting = move |_| {
        let id = match platform::random_hex::<6>() {
            Ok(r) => format!("m-{}-{r}", &platform::now()[..10]),
            Err(e) => return message.set(Some(e)),
        };
        let mut file = default_meeting_file(&id, "", Vec::new());
        file.date = platform::now()[..10].to_owned();
        creating.set(Some(file));
    };
    view! {
        <section class="screen host-start" aria-labelledby="host-start-title">
            <h1 id="host-start-title" class="screen__title"><Bilingual zh="开始一场会议" en="Start a meeting" /></h1>
            <div class="choice-grid">
                <button class="button" data-variant="primary" on:click=move |_| start_demo(demo_meeting())>
                    <Bilingual zh="使用演示会议（40 位第一书记）" en="Use the demo meeting (40 first secretaries)" />
                </button>
                <button class="button" on:click=new_meeting>
                    <Bilingual zh="新建会议" en="New meeting" />
                </button>
                <label class="file-pick">
                    <Bilingual zh="导入会议文件" en="Import a meeting file" />
                    <input type="file" accept=".json,application/json" on:change=on_meeting_file />
                </label>
                <label class="file-pick">
                    <Bilingual zh="恢复会议备份" en="Restore a meeting backup" />
                    <input type="file" accept=".json,application/json" on:change=on_backup />
                </label>
            </div>
            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
        </section>
    }
}

/// Reads one text of the meeting file for a form field.
type TextGetter = Box<dyn Fn(&MeetingFileV1) -> String + Send + Sync>;
/// Writes one text of the meeting file from a form field.
type TextSetter = Box<dyn Fn(&mut MeetingFileV1, String) + Send + Sync>;
/// Reads one number of the meeting file for a form field.
type Getter = Box<dyn Fn(&MeetingFileV1) -> u32 + Send + Sync>;
/// Writes one number of the meeting file from a form field.
type Setter = Box<dyn Fn(&mut MeetingFileV1, u32) + Send + Sync>;

fn aspects_text(file: &MeetingFileV1) -> String {
    file.aspects.iter().map(|a| format!("{}\n", a.name)).collect()
}

/// The meeting form: every field of the meeting file a host changes, applied in one step and
/// validated by the rules core.
#[component]
fn EditMeeting(
    /// The meeting file the form starts from.
    initial: MeetingFileV1,
) -> impl IntoView {
    let ctx = host_context();
    let file = initial;
    let working = RwSignal::new(file.clone());
    let roster = RwSignal::new(roster_text(&file.presenters));
    let aspects = RwSignal::new(aspects_text(&file));
    let errors = RwSignal::new(Vec::<(MeetingField, String)>::new());
    // The messages that belong beside one part of the form.
    let errors_for = move |field: MeetingField| {
        move || {
            errors
                .get()
                .into_iter()
                .filter(|(f, _)| *f == field)
                .map(|(_, e)| view! { <p class="banner field-error" data-state="error" role="alert"><Said text=e /></p> })
                .collect_view()
        }
    };
    let text_field = move |label_zh: &'static str,
                           label_en: &'static str,
                           name: &'static str,
                           get: fn(&MeetingFileV1) -> String,
                           set: fn(&mut MeetingFileV1, String)| {
        view! {
            <label class="field">
                <span><Bilingual zh=label_zh en=label_en /></span>
                <input name=name prop:value=move || working.with(get)
                    on:change=move |ev| { let v = event_target_value(&ev); working.update(|f| set(f, v)); } />
            </label>
        }
    };
    let text_field_dyn = move |label_zh: &'static str,
                               label_en: &'static str,
                               name: String,
                               get: TextGetter,
                               set: TextSetter| {
        let set = std::sync::Arc::new(set);
        view! {
            <label class="field">
                <span><Bilingual zh=label_zh en=label_en /></span>
                <input name=name prop:value=move || working.with(|f| get(f))
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let set = set.clone();
                        working.update(move |f| set(f, v));
                    } />
            </label>
        }
    };
    let number_field = move |label_zh: &'static str,
                             label_en: &'static str,
                             name: String,
                             get: Getter,
                             set: Setter| {
        let set = std::sync::Arc::new(set);
        view! {
            <label class="field field--number">
                <span><Bilingual zh=label_zh en=label_en /></span>
                <input name=name type="number" min="0" max="100000" prop:value=move || working.with(|f| get(f).to_string())
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                        let set = set.clone();
                        working.update(move |f| set(f, v));
                    } />
            </label>
        }
    };
    let groups = file
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            view! {
                <fieldset class="group-fields">
                    <legend>{group.name.clone()}</legend>
                    {text_field_dyn("类别名称", "group name", format!("group-name-{g}"), Box::new(move |f| f.groups[g].name.clone()), Box::new(move |f, v| f.groups[g].name = v))}
                    {number_field("权重 %", "weight %", format!("weight-{g}"), Box::new(move |f| f.groups[g].weight), Box::new(move |f, v| f.groups[g].weight = v))}
                    {number_field("应到人数", "expected raters", format!("expected-{g}"), Box::new(move |f| f.groups[g].expected), Box::new(move |f, v| f.groups[g].expected = v))}
                </fieldset>
            }
        })
        .collect_view();
    let grades = file
        .grades
        .iter()
        .enumerate()
        .map(|(k, _)| {
            view! {
                <fieldset class="group-fields">
                    <legend><Said text=format!("等级 {n} — grade {n}", n = k + 1) /></legend>
                    {text_field_dyn("名称", "name", format!("grade-name-{k}"), Box::new(move |f| f.grades[k].name.clone()), Box::new(move |f, v| f.grades[k].name = v))}
                    {number_field("分值", "points", format!("grade-points-{k}"), Box::new(move |f| f.grades[k].points), Box::new(move |f, v| f.grades[k].points = v))}
                    <label class="choice">
                        <input type="checkbox" name=format!("grade-satisfied-{k}") prop:checked=move || working.with(|f| f.grades[k].satisfied)
                            on:change=move |ev| { let v = event_target_checked(&ev); working.update(|f| f.grades[k].satisfied = v); } />
                        <Bilingual zh="计入满意率" en="counts as satisfied" />
                    </label>
                </fieldset>
            }
        })
        .collect_view();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut file = working.get();
        let mut problems = Vec::new();
        match parse_roster(&roster.get()) {
            Ok(list) => file.presenters = list,
            Err(list) => problems.extend(list.iter().map(|e| (MeetingField::Presenters, e.to_string()))),
        }
        let names: Vec<String> = aspects
            .get()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        file.aspects = names
            .iter()
            .enumerate()
            .map(|(i, name)| AspectV1 {
                id: format!("a{}", i + 1),
                name: name.clone(),
                weight: None,
            })
            .collect();
        file.overall_aspect = "a1".to_owned();
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        let current = ctx.with_host(|h| h.meeting().to_file());
        if current
            .as_ref()
            .is_some_and(|c| c.presenters != file.presenters || c.aspects != file.aspects)
        {
            file.draw = None;
        }
        match Meeting::try_from(file) {
            Err(e) => errors.set(vec![(e.field(), e.to_string())]),
            Ok(meeting) => {
                let now = platform::now();
                let outcome = if ctx.with_host(|_| ()).is_none() {
                    ctx.start(meeting)
                } else {
                    ctx.act(|h| h.edit_meeting(meeting, &now))
                        .unwrap_or(Ok(()))
                        .map_err(|e| e.to_string())
                };
                match outcome {
                    Err(e) => errors.set(vec![(MeetingField::Details, e)]),
                    Ok(()) => {
                        errors.set(Vec::new());
                        ctx.say("会议已保存 — meeting saved");
                        if let Some(f) = ctx.with_host(|h| h.meeting().to_file()) {
                            roster.set(roster_text(&f.presenters));
                            working.set(f);
                        }
                    }
                }
            }
        }
    };
    let presenter_count = move || roster.with(|r| r.lines().filter(|l| !l.trim().is_empty()).count());
    view! {
        <section class="screen host-setup" aria-labelledby="setup-title">
            <h1 id="setup-title" class="screen__title"><Bilingual zh="会议设置" en="Set up the meeting" /></h1>
            <form class="form setup-form" on:submit=apply>
                <div class="form__row">
                    {text_field("会议名称", "Title", "title", |f| f.title.clone(), |f, v| f.title = v)}
                    {text_field("日期", "Date", "date", |f| f.date.clone(), |f, v| f.date = v)}
                    {text_field("地点", "Place", "place", |f| f.place.clone(), |f, v| f.place = v)}
                </div>
                <label class="field">
                    <span><Bilingual zh="评议凭证" en="Rater credential" /></span>
                    <select name="credential" prop:value=move || working.with(|f| f.credential.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); working.update(|f| f.credential = v); }>
                        <option value="code">{super::tr("一次性选票码（推荐）", "one-time ballot codes (recommended)")}</option>
                        <option value="open">"不用选票码，按类别清点 — no codes, counted per group"</option>
                    </select>
                </label>
                {errors_for(MeetingField::Details)}
                <label class="field">
                    <span>
                        <Bilingual zh="述职人员名单：每行 姓名、单位、乡镇（可直接从 Excel / WPS 粘贴）" en="Presenters: one per line — name, unit, township (paste straight from Excel / WPS)" />
                        " " {move || view! { <Said text=format!("（{n} 行） — ({n} lines)", n = presenter_count()) /> }}
                    </span>
                    <textarea name="roster" rows="10" prop:value=roster on:input=move |ev| roster.set(event_target_value(&ev))></textarea>
                </label>
                {errors_for(MeetingField::Presenters)}
                <label class="field">
                    <span><Bilingual zh="评议项目（每行一项，第一项为总体评价）" en="Aspects (one per line; the first is the overall aspect)" /></span>
                    <textarea name="aspects" rows="8" prop:value=aspects on:input=move |ev| aspects.set(event_target_value(&ev))></textarea>
                </label>
                {errors_for(MeetingField::Aspects)}
                <div class="form__row">{grades}</div>
                {errors_for(MeetingField::Grades)}
                <div class="form__row">{groups}</div>
                {errors_for(MeetingField::Groups)}
                <fieldset class="group-fields">
                    <legend><Bilingual zh="等次规则" en="Level rules" /></legend>
                    {number_field("优秀比例上限 %", "excellent: at most this % of those rated", "excellent-percent".to_owned(), Box::new(|f| f.rules.excellent_top_percent), Box::new(|f, v| f.rules.excellent_top_percent = v))}
                    {number_field("优秀最低分", "excellent: minimum score", "excellent-min".to_owned(), Box::new(|f| f.rules.excellent_min), Box::new(|f, v| f.rules.excellent_min = v))}
                    {number_field("低于此分为基本称职", "below this score: basic (基本称职)", "basic-below".to_owned(), Box::new(|f| f.rules.basic_below), Box::new(|f, v| f.rules.basic_below = v))}
                    {number_field("低于此分为不称职", "below this score: unfit (不称职)", "unfit-below".to_owned(), Box::new(|f| f.rules.unfit_below), Box::new(|f, v| f.rules.unfit_below = v))}
                </fieldset>
                {errors_for(MeetingField::Rules)}
                {move || (!errors.with(Vec::is_empty)).then(|| view! {
                    <p class="banner" data-state="error">
                        <Bilingual zh="会议未保存：请按各处提示修改。" en="Not saved: fix what is marked beside the fields." />
                    </p>
                })}
                <div class="actions">
                    <button type="submit" class="button" data-variant="primary"><Bilingual zh="保存会议" en="Save the meeting" /></button>
                    <button type="button" class="button" on:click=move |_| {
                        let Some(file) = host_context().with_host(|h| h.meeting().to_file()) else { return };
                        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
                        if let Err(e) = platform::download(&format!("meeting-{}.json", file.id), "application/json", &text) {
                            errors.set(vec![(MeetingField::Details, e)]);
                        }
                    }>
                        <Bilingual zh="导出会议文件" en="Export the meeting file" />
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The host's short note per presenter (提问式点评), kept in the meeting record and printed in
/// the report when the host chooses to.
#[component]
fn PresenterNotes() -> impl IntoView {
    let ctx = host_context();
    let rows = ctx
        .with_host(|h| {
            h.meeting()
                .presenters()
                .iter()
                .enumerate()
                .map(|(p, presenter)| (p, presenter.name.clone(), h.note(&presenter.id).to_owned()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .map(|(p, name, note)| {
            let ctx = ctx.clone();
            view! {
                <label class="field note-field">
                    <span>{format!("{}. {name}", p + 1)}</span>
                    <textarea name=format!("note-{}", p + 1) rows="2" prop:value=note
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            let now = platform::now();
                            ctx.act(|h| h.set_note(p, &text, &now));
                            ctx.say("点评已保存 — note saved");
                        }></textarea>
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="panel notes">
            <summary><Bilingual zh="提问式点评记录（每位述职人一条）" en="Notes on each presenter (提问式点评)" /></summary>
            {rows}
        </details>
    }
}
