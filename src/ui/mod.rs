//! Leptos components. They call `domain` for every number and `browser` for every side
//! effect; one public component per file, named after it.

mod app;
mod confirm_action;
mod frame;
mod host_app;
mod host_board;
mod host_close;
mod host_collect;
mod host_draw;
mod host_override;
mod host_scanner;
mod host_setup;
mod host_tablets;
mod language;
mod meeting_overview;
mod qr_image;
mod rater_app;
mod rater_root;
mod rating_form;
mod start_screen;
mod verify_page;

pub use app::{App, DeviceRole, start};
pub use confirm_action::{ConfirmAction, ConfirmTexts, LocalText};
pub use frame::Frame;
pub use host_app::HostApp;
pub use host_board::HostBoard;
pub use host_close::HostClose;
pub use host_collect::HostCollect;
pub use host_draw::HostDraw;
pub use host_override::LevelOverrides;
pub use host_scanner::HostScanner;
pub use host_setup::HostSetup;
pub use host_tablets::HostTablets;
pub use language::{
    LanguageSwitch, LocalArg, Locale, Message, Said, current_locale, format_date, format_time, lang_tag,
    level_message, level_name, pick, provide_language,
};
pub use meeting_overview::MeetingOverview;
pub use qr_image::{QrImage, qr_svg};
pub use rater_app::RaterApp;
pub use rater_root::{RaterRoot, start_rater};
pub use rating_form::{PresenterIndex, RatingForm};
pub use start_screen::StartScreen;
pub use verify_page::VerifyPage;
