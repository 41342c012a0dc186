//! A read-only overview of a meeting: what, when, where, who presents, who rates.

use leptos::prelude::*;

use super::Bilingual;
use crate::domain::meeting::Meeting;

/// Title, date and place, the rater groups with weights and 应到, the aspects, and the
/// numbered presenter list.
#[component]
pub fn MeetingOverview(
    /// The meeting to show.
    meeting: Meeting,
) -> impl IntoView {
    let groups = meeting
        .groups()
        .iter()
        .map(|g| {
            view! {
                <li>
                    {g.name.clone()} " · " {format!("{}%", g.weight)} " · "
                    <Bilingual zh="应到" en="expected" /> " " {g.expected}
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
                {meeting.date().to_owned()} " · " {meeting.place().to_owned()}
            </p>
            <div class="meeting-overview__facts">
                <section>
                    <h3><Bilingual zh="评议人员" en="Rater groups" /></h3>
                    <ul>{groups}</ul>
                </section>
                <section>
                    <h3><Bilingual zh="评议内容" en="Aspects" /></h3>
                    <ol>{aspects}</ol>
                </section>
            </div>
            <table class="table">
                <caption>
                    <Bilingual zh="述职人员名单" en="Presenters" /> " (" {meeting.presenters().len()} ")"
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col"><Bilingual zh="姓名" en="Name" /></th>
                        <th scope="col"><Bilingual zh="村" en="Village" /></th>
                        <th scope="col"><Bilingual zh="乡镇" en="Township" /></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </article>
    }
}
