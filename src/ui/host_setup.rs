//! Set up: start a meeting (demo, new, imported file, restored backup) and edit it until
//! voting opens.

use leptos::prelude::*;

use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::msg;

use super::host_app::{host_context, removed_meetings};
use super::{LocalText, MeetingOverview, Message, Said, format_time};
use crate::browser::file::with_chosen_file;
use crate::browser::platform;
use crate::domain::collect::{HostMeeting, Phase, ReadHostStateError};
use crate::domain::demo::demo_meeting;
use crate::domain::level::{Level, LevelNames, QUOTA_PRESETS, QuotaRounding};
use crate::domain::meeting::{AspectV1, Meeting, MeetingField, MeetingFileV1, default_meeting_file};
use crate::domain::record::backup::{is_sealed_backup, open_backup};
use crate::domain::record::counts::always_pooled;
use crate::domain::table_text::{parse_roster, roster_text};
use crate::domain::validity::QuorumV1;

/// A field's label in the screen's language; it may read the meeting being edited.
type FieldLabel = std::sync::Arc<dyn Fn(crate::i18n::Locale) -> String + Send + Sync>;

/// "Below this score: <level>", in the level names the edited meeting uses.
fn level_label(working: RwSignal<MeetingFileV1>, level: Level) -> FieldLabel {
    std::sync::Arc::new(move |locale| {
        let names = working.with(|f| {
            f.rules
                .level_names
                .as_deref()
                .and_then(LevelNames::parse)
                .unwrap_or_default()
        });
        let word = match locale {
            crate::i18n::Locale::zh => names.name_zh(level),
            crate::i18n::Locale::en => names.name_en(level),
        };
        td_string!(locale, host_setup.label_below_this_score, level = word).to_string()
    })
}

/// The set-up step.
#[component]
pub fn HostSetup() -> impl IntoView {
    let i18n = use_i18n();
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
                        {t!(i18n, host_setup.voting_is_open_the_meeting)}
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
    let i18n = use_i18n();
    let ctx = host_context();
    let message = RwSignal::new(None::<Message>);
    let start = {
        let ctx = ctx.clone();
        move |meeting: Meeting| {
            if let Err(e) = ctx.start(meeting) {
                message.set(Some(Message::core(e)));
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
                Err(e) => message.set(Some(Message::core(e))),
            }
        });
    };
    // A backup sealed with a passphrase waits here until the host types it.
    let sealed = RwSignal::new(None::<String>);
    let passphrase = RwSignal::new(String::new());
    let restore = move |ctx: super::host_app::HostContext, text: &str| {
        let outcome = HostMeeting::from_json(text).map_err(|e| match e {
            ReadHostStateError::WrongFormat(_) => msg!(host_setup.not_a_backup, error = e),
            other => Message::core(other),
        });
        match outcome {
            Ok(host) => {
                sealed.set(None);
                ctx.host.set(Some(host));
                ctx.act(|_| ());
            }
            Err(e) => message.set(Some(e)),
        }
    };
    let ctx_sealed = ctx.clone();
    let open_sealed = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(text) = sealed.get_untracked() else {
            return;
        };
        match open_backup(&text, &passphrase.get_untracked()) {
            Ok(record) => restore(ctx_sealed.clone(), &record),
            Err(e) => message.set(Some(Message::core(e))),
        }
    };
    let on_backup = move |ev: leptos::ev::Event| {
        let ctx = ctx_backup.clone();
        with_chosen_file(&ev, move |result| match result {
            Ok((_, text)) if is_sealed_backup(&text) => {
                message.set(None);
                sealed.set(Some(text));
            }
            Ok((_, text)) => restore(ctx, &text),
            Err(e) => message.set(Some(Message::core(e))),
        });
    };
    let new_meeting = move |_| {
        let id = match platform::random_hex::<6>() {
            Ok(r) => format!("m-{}-{r}", &platform::now()[..10]),
            Err(e) => return message.set(Some(Message::core(e))),
        };
        let mut file = default_meeting_file(&id, "", Vec::new());
        file.date = platform::now()[..10].to_owned();
        creating.set(Some(file));
    };
    view! {
        <section class="screen host-start" aria-labelledby="host-start-title">
            <h1 id="host-start-title" class="screen__title">{t!(i18n, host_setup.start_a_meeting)}</h1>
            <div class="choice-grid">
                <button class="button" data-variant="primary" on:click=move |_| start_demo(demo_meeting())>
                    {t!(i18n, host_setup.use_the_demo_meeting_40)}
                </button>
                <button class="button" on:click=new_meeting>
                    {t!(i18n, host_setup.new_meeting)}
                </button>
                <label class="file-pick">
                    {t!(i18n, host_setup.import_a_meeting_file)}
                    <input type="file" accept=".json,application/json" on:change=on_meeting_file />
                </label>
                <label class="file-pick">
                    {t!(i18n, host_setup.restore_a_meeting_backup)}
                    <input type="file" accept=".json,application/json" on:change=on_backup />
                </label>
            </div>
            {move || sealed.get().is_some().then(|| view! {
                <form class="form form__row" on:submit=open_sealed.clone()>
                    <label class="field">
                        <span>{t!(i18n, host_setup.backup_passphrase)}</span>
                        <input type="password" name="backup-passphrase" autocomplete="off"
                            prop:value=passphrase on:input=move |ev| passphrase.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="button" data-variant="primary">{t!(i18n, host_setup.open_the_backup)}</button>
                </form>
            })}
            {move || message.get().map(|m| view! { <p class="banner" data-state="error" role="alert"><Said text=m /></p> })}
            <RemovedMeetings />
        </section>
    }
}

/// The meeting records this laptop removed ("start a new meeting"), newest first, with the
/// export that holds each whole record. Nothing when there are none.
#[component]
fn RemovedMeetings() -> impl IntoView {
    let i18n = use_i18n();
    let entries = match removed_meetings() {
        Ok(list) if list.entries.is_empty() => return ().into_any(),
        Ok(list) => list.entries,
        Err(e) => {
            return view! { <p class="banner" data-state="error" role="alert"><Said text=e /></p> }
                .into_any();
        }
    };
    let rows = entries
        .into_iter()
        .rev()
        .map(|e| {
            let stage = move || match e.phase {
                Phase::Setup => t_string!(i18n, host_setup.stage_setup),
                Phase::Open => t_string!(i18n, host_setup.stage_open),
                Phase::Closed => t_string!(i18n, host_setup.stage_closed),
            };
            let export_name = {
                let event = e.last_export.clone();
                move || match event.as_str() {
                    "result_exported" => t_string!(i18n, host_setup.export_result).to_owned(),
                    "backup_exported" => t_string!(i18n, host_setup.export_backup).to_owned(),
                    other => other.to_owned(),
                }
            };
            let (removed, exported) = (e.removed.clone(), e.exported.clone());
            view! {
                <tr>
                    <td>{move || format_time(i18n.get_locale(), &removed)}</td>
                    <td>{e.title.clone()}<br /><span class="fingerprint">{e.meeting_id.clone()}</span></td>
                    <td>{stage}</td>
                    <td class="num">{e.accepted}</td>
                    <td>{export_name}<br />{move || format_time(i18n.get_locale(), &exported)}</td>
                    <td class="num">{e.audit_entries}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="removed-title" data-testid="removed-meetings">
            <h2 id="removed-title">{t!(i18n, host_setup.removed_meetings)}</h2>
            <p>{t!(i18n, host_setup.removed_meetings_explained)}</p>
            <table class="table removed-table">
                <thead><tr>
                    <th>{t!(i18n, host_setup.removed_at)}</th>
                    <th>{t!(i18n, host_setup.meeting)}</th>
                    <th>{t!(i18n, host_setup.stage)}</th>
                    <th class="num">{t!(i18n, host_setup.accepted_ballots)}</th>
                    <th>{t!(i18n, host_setup.last_export)}</th>
                    <th class="num">{t!(i18n, host_setup.audit_entries)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
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
    let i18n = use_i18n();
    let ctx = host_context();
    let file = initial;
    let working = RwSignal::new(file.clone());
    let roster = RwSignal::new(roster_text(&file.presenters));
    let aspects = RwSignal::new(aspects_text(&file));
    let errors = RwSignal::new(Vec::<(MeetingField, Message)>::new());
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
    let text_field = move |label: LocalText,
                           name: &'static str,
                           get: fn(&MeetingFileV1) -> String,
                           set: fn(&mut MeetingFileV1, String)| {
        view! {
            <label class="field">
                <span>{move || label(i18n.get_locale())}</span>
                <input name=name prop:value=move || working.with(get)
                    on:change=move |ev| { let v = event_target_value(&ev); working.update(|f| set(f, v)); } />
            </label>
        }
    };
    let text_field_dyn = move |label: LocalText, name: String, get: TextGetter, set: TextSetter| {
        let set = std::sync::Arc::new(set);
        view! {
            <label class="field">
                <span>{move || label(i18n.get_locale())}</span>
                <input name=name prop:value=move || working.with(|f| get(f))
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let set = set.clone();
                        working.update(move |f| set(f, v));
                    } />
            </label>
        }
    };
    // The label may read the working meeting (the level thresholds name the meeting's levels).
    let number_field = move |label: FieldLabel, name: String, get: Getter, set: Setter| {
        let set = std::sync::Arc::new(set);
        view! {
            <label class="field field--number">
                <span>{move || label(i18n.get_locale())}</span>
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
                    {text_field_dyn(|l| td_string!(l, host_setup.label_group_name).to_string(), format!("group-name-{g}"), Box::new(move |f| f.groups[g].name.clone()), Box::new(move |f, v| f.groups[g].name = v))}
                    {number_field(std::sync::Arc::new(|l| td_string!(l, host_setup.label_weight).to_string()), format!("weight-{g}"), Box::new(move |f| f.groups[g].weight), Box::new(move |f, v| f.groups[g].weight = v))}
                    {number_field(std::sync::Arc::new(|l| td_string!(l, host_setup.label_expected_raters).to_string()), format!("expected-{g}"), Box::new(move |f| f.groups[g].expected), Box::new(move |f, v| f.groups[g].expected = v))}
                    {move || working.with(|f| {
                        let (expected, minimum) = (f.groups[g].expected, f.min_breakdown_size);
                        always_pooled(expected, minimum).then(|| view! {
                            <p class="notice" data-state="waiting" role="status">
                                <Said text=msg!(host_setup.group_pooled, expected = expected, minimum = minimum) />
                            </p>
                        })
                    })}
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
                    <legend><Said text=msg!(host_setup.grade_n, n = k + 1) /></legend>
                    {text_field_dyn(|l| td_string!(l, host_setup.label_name).to_string(), format!("grade-name-{k}"), Box::new(move |f| f.grades[k].name.clone()), Box::new(move |f, v| f.grades[k].name = v))}
                    {number_field(std::sync::Arc::new(|l| td_string!(l, host_setup.label_points).to_string()), format!("grade-points-{k}"), Box::new(move |f| f.grades[k].points), Box::new(move |f, v| f.grades[k].points = v))}
                    <label class="choice">
                        <input type="checkbox" name=format!("grade-satisfied-{k}") prop:checked=move || working.with(|f| f.grades[k].satisfied)
                            on:change=move |ev| { let v = event_target_checked(&ev); working.update(|f| f.grades[k].satisfied = v); } />
                        {t!(i18n, host_setup.counts_as_satisfied)}
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
            Err(list) => problems.extend(list.iter().map(|e| (MeetingField::Presenters, Message::core(e)))),
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
            Err(e) => errors.set(vec![(e.field(), Message::core(&e))]),
            Ok(meeting) => {
                let now = platform::now();
                let outcome = if ctx.with_host(|_| ()).is_none() {
                    ctx.start(meeting).map_err(Message::core)
                } else {
                    ctx.act(|h| h.edit_meeting(meeting, &now))
                        .unwrap_or(Ok(()))
                        .map_err(Message::core)
                };
                match outcome {
                    Err(e) => errors.set(vec![(MeetingField::Details, e)]),
                    Ok(()) => {
                        errors.set(Vec::new());
                        ctx.say(msg!(host_setup.meeting_saved));
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
            <h1 id="setup-title" class="screen__title">{t!(i18n, host_setup.set_up_the_meeting)}</h1>
            <form class="form setup-form" on:submit=apply>
                <div class="form__row">
                    {text_field(|l| td_string!(l, host_setup.label_title).to_string(), "title", |f| f.title.clone(), |f, v| f.title = v)}
                    {text_field(|l| td_string!(l, host_setup.label_date).to_string(), "date", |f| f.date.clone(), |f, v| f.date = v)}
                    {text_field(|l| td_string!(l, host_setup.label_place).to_string(), "place", |f| f.place.clone(), |f, v| f.place = v)}
                </div>
                <label class="field">
                    <span>{t!(i18n, host_setup.rater_credential)}</span>
                    <select name="credential" prop:value=move || working.with(|f| f.credential.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); working.update(|f| f.credential = v); }>
                        <option value="code">{move || t_string!(i18n, host_setup.one_time_ballot_codes_recommended).to_string()}</option>
                        <option value="open">{move || t_string!(i18n, host_setup.open_mode).to_string()}</option>
                    </select>
                </label>
                {errors_for(MeetingField::Details)}
                <label class="field">
                    <span>
                        {t!(i18n, host_setup.presenters_one_per_line_name)}
                        " " {move || view! { <Said text=msg!(host_setup.n_lines, n = presenter_count()) /> }}
                    </span>
                    <textarea name="roster" rows="10" prop:value=roster on:input=move |ev| roster.set(event_target_value(&ev))></textarea>
                </label>
                {errors_for(MeetingField::Presenters)}
                <label class="field">
                    <span>{t!(i18n, host_setup.aspects_one_per_line_the)}</span>
                    <textarea name="aspects" rows="8" prop:value=aspects on:input=move |ev| aspects.set(event_target_value(&ev))></textarea>
                </label>
                {errors_for(MeetingField::Aspects)}
                <div class="form__row">{grades}</div>
                {errors_for(MeetingField::Grades)}
                <div class="form__row">{groups}</div>
                {errors_for(MeetingField::Groups)}
                <fieldset class="group-fields">
                    <legend>{t!(i18n, host_setup.level_rules)}</legend>
                    <label class="field">
                        <span>{t!(i18n, host_setup.label_level_names)}</span>
                        <select name="level-names"
                            prop:value=move || working.with(|f| f.rules.level_names.clone().unwrap_or_else(|| LevelNames::CivilServant.as_str().to_owned()))
                            on:change=move |ev| {
                                let chosen = LevelNames::parse(&event_target_value(&ev)).unwrap_or_default();
                                working.update(|f| f.rules.level_names = chosen.file_value());
                            }>
                            {LevelNames::ALL.into_iter().map(|names| view! {
                                <option value=names.as_str()>{move || names.summary(i18n.get_locale() == crate::i18n::Locale::en)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>{t!(i18n, host_setup.label_quota_preset)}</span>
                        <select name="quota-preset"
                            prop:value=move || working.with(|f| {
                                let rounding = f.rules.excellent_rounding.as_deref().unwrap_or(QuotaRounding::Down.as_str());
                                QUOTA_PRESETS
                                    .iter()
                                    .position(|(percent, r, ..)| *percent == f.rules.excellent_top_percent && r.as_str() == rounding)
                                    .map_or_else(|| "custom".to_owned(), |i| i.to_string())
                            })
                            on:change=move |ev| {
                                // A preset sets the percentage and its rounding; "custom" keeps the
                                // percentage for editing below, rounded down.
                                let preset = event_target_value(&ev).parse::<usize>().ok().and_then(|i| QUOTA_PRESETS.get(i).copied());
                                working.update(|f| match preset {
                                    Some((percent, rounding, ..)) => {
                                        f.rules.excellent_top_percent = percent;
                                        f.rules.excellent_rounding = rounding.file_value();
                                    }
                                    None => f.rules.excellent_rounding = None,
                                });
                            }>
                            {QUOTA_PRESETS.iter().enumerate().map(|(i, &(_, _, zh, en))| view! {
                                <option value=i.to_string()>{move || if i18n.get_locale() == crate::i18n::Locale::en { en } else { zh }}</option>
                            }).collect_view()}
                            <option value="custom">{t!(i18n, host_setup.quota_custom)}</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>{t!(i18n, host_setup.label_quorum)}</span>
                        <select name="quorum"
                            prop:value=move || working.with(|f| f.rules.quorum.clone().unwrap_or_else(|| QuorumV1::default().to_string()))
                            on:change=move |ev| {
                                let chosen = QuorumV1::parse(&event_target_value(&ev)).unwrap_or_default();
                                working.update(|f| f.rules.quorum = chosen.file_value());
                            }>
                            <option value="1/2">{t!(i18n, host_setup.quorum_half)}</option>
                            <option value="2/3">{t!(i18n, host_setup.quorum_two_thirds)}</option>
                            <option value="off">{t!(i18n, host_setup.quorum_off)}</option>
                            // A quorum a meeting file brought that is none of the above stays choosable.
                            {move || working.with(|f| f.rules.quorum.clone()).filter(|q| !["1/2", "2/3", "off"].contains(&q.as_str()))
                                .map(|q| view! { <option value=q.clone()>{q.clone()}</option> })}
                        </select>
                    </label>
                    {number_field(std::sync::Arc::new(|l| td_string!(l, host_setup.label_trim_above).to_string()), "trim-above".to_owned(), Box::new(|f| f.rules.trim_above.unwrap_or(0)), Box::new(|f, v| f.rules.trim_above = (v > 0).then_some(v)))}
                    {number_field(std::sync::Arc::new(|l| td_string!(l, host_setup.label_excellent_at_most_this_of).to_string()), "excellent-percent".to_owned(), Box::new(|f| f.rules.excellent_top_percent), Box::new(|f, v| f.rules.excellent_top_percent = v))}
                    {number_field(std::sync::Arc::new(|l| td_string!(l, host_setup.label_excellent_minimum_score).to_string()), "excellent-min".to_owned(), Box::new(|f| f.rules.excellent_min), Box::new(|f, v| f.rules.excellent_min = v))}
                    {number_field(level_label(working, Level::Basic), "basic-below".to_owned(), Box::new(|f| f.rules.basic_below), Box::new(|f, v| f.rules.basic_below = v))}
                    {number_field(level_label(working, Level::Unfit), "unfit-below".to_owned(), Box::new(|f| f.rules.unfit_below), Box::new(|f, v| f.rules.unfit_below = v))}
                </fieldset>
                {errors_for(MeetingField::Rules)}
                {move || (!errors.with(Vec::is_empty)).then(|| view! {
                    <p class="banner" data-state="error">
                        {t!(i18n, host_setup.not_saved_fix_what_is)}
                    </p>
                })}
                <div class="actions">
                    <button type="submit" class="button" data-variant="primary">{t!(i18n, host_setup.save_the_meeting)}</button>
                    <button type="button" class="button" on:click=move |_| {
                        let Some(file) = host_context().with_host(|h| h.meeting().to_file()) else { return };
                        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
                        if let Err(e) = platform::download(&format!("meeting-{}.json", file.id), "application/json", &text) {
                            errors.set(vec![(MeetingField::Details, Message::core(e))]);
                        }
                    }>
                        {t!(i18n, host_setup.export_the_meeting_file)}
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
    let i18n = use_i18n();
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
                            ctx.say(msg!(host_setup.note_saved));
                        }></textarea>
                </label>
            }
        })
        .collect_view();
    view! {
        <details class="panel notes">
            <summary>{t!(i18n, host_setup.notes_on_each_presenter)}</summary>
            {rows}
        </details>
    }
}
