//! Widgets shared by the pages.

pub mod api_error_message;
pub mod code_input;
pub mod countdown;
pub mod duration;
pub mod error_summary;
pub mod helpdesk_link;
pub mod language_picker;
pub mod password_feedback;
pub mod password_input;
pub mod qr_code;
pub mod site_header;
pub mod text;
pub mod text_field;

pub use api_error_message::{ApiErrorMessage, error_text};
pub use code_input::CodeInput;
pub use duration::{DurationText, SentenceWithDuration, duration_text, with_duration};
pub use error_summary::{ErrorSummary, FieldError, InlineError, Message, PageHasErrors, message};
pub use helpdesk_link::{HelpdeskLink, OrganisationConfig, organisation_config};
pub use language_picker::LanguagePicker;
pub use password_feedback::PasswordFeedback;
pub use password_input::PasswordInput;
pub use qr_code::QrCode;
pub use site_header::SiteHeader;
pub use text::text;
pub use text_field::{InputKind, TextField};
