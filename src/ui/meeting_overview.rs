//! A read-only overview of a meeting: what, when, where, who presents, who rates.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

use crate::domain::meeting::Meeting;

/// Title, date and place, the rater groups with weights and 应到, the aspects, and the
/// numbered presenter list.
#[component]
pub fn MeetingOverview(
    /// The meeting to show.
    meeting: Meeting,
) -> impl IntoView {
    let i18n = use_i18n();
    let groups = meeting
        .groups()
        .iter()
        .map(|g| {
            view! {
                <li>
                    {g.name.clone()} " · " {format!("{}%", g.weight)} " · "
                    {t!(i18n, meeting_overview.expected)} " " {g.expected}
                </li>
            }
        })
        .collect_view();
    let aspects = meeting
        .aspects()
        .iter()
        .map(|a| view! { <li>{a.name.clone()}</li> })
        .collect_view();
    let rows = meeting
        .presenters()
        .iter()
        .enumerate()
        .map(|(i, p)| {
            view! {
                <tr>
                    <td class="num">{i + 1}</td>
                    <td>{p.name.clone()}</td>
                    <td>{p.unit.clone()}</td>
                    <td>{p.township.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="meeting-overview">
            <h2 id="demo-title" class="meeting-overview__title">{meeting.title().to_owned()}</h2>
            <p class="meeting-overview__when">
                {let date = meeting.date().to_owned(); move || super::format_date(i18n.get_locale(), &date)} " · " {meeting.place().to_owned()}
            </p>
            <div class="meeting-overview__facts">
                <section>
                    <h3>{t!(i18n, meeting_overview.rater_groups)}</h3>
                    <ul>{groups}</ul>
                </section>
                <section>
                    <h3>{t!(i18n, meeting_overview.aspects)}</h3>
                    <ol>{aspects}</ol>
                </section>
            </div>
            <table class="table">
                <caption>
                    {t!(i18n, meeting_overview.presenters)} " (" {meeting.presenters().len()} ")"
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{t!(i18n, meeting_overview.name)}</th>
                        <th scope="col">{t!(i18n, meeting_overview.village)}</th>
                        <th scope="col">{t!(i18n, meeting_overview.township)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </article>
    }
}
