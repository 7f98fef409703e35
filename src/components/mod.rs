//! Widgets shared by the pages.

pub mod api_error_message;
pub mod language_picker;
pub mod site_header;

pub use api_error_message::ApiErrorMessage;
pub use language_picker::LanguagePicker;
pub use site_header::SiteHeader;
