//! `error_enum_impls!`: the methods and trait impls every generated enum has, written
//! once against the enum's `__view` and `__build`.

/// The methods and trait impls every generated enum has, written against its `__view`
/// and `__build`; `include_errors!` invokes it once per enum with the enum and its
/// [`Catalog`].
#[doc(hidden)]
#[macro_export]
macro_rules! __error_enum_impls {
    ($name:ident, $catalog:ident) => {
        impl $name {
            /// Classifies a failed call from its HTTP status and raw body.
            ///
            /// Total: any status and any bytes give a value, without panicking. The body's
            /// code and message (where the spec's `[body]` puts them; Easemob: `error` and
            /// `error_description`) are matched against the catalog (status, code,
            /// description templates, tolerant of letter case, quotes, whitespace and
            /// closing punctuation); a code the catalog has never seen gives `Unknown`, an
            /// answer without a usable error body `Status` — as does a success under the
            /// spec's rule (see [`classify`](Self::classify)), given anyway.
            pub fn from_response(status: u16, body: &[u8]) -> Self {
                Self::__from($crate::__private::classify(&$catalog, status, body, Self::__build))
            }

            /// Classifies any answer: `None` when it is a success under the spec's rule
            /// (its status, and the body fields the spec names), else the error, as
            /// [`from_response`](Self::from_response) gives it.
            pub fn classify(status: u16, body: &[u8]) -> ::core::option::Option<Self> {
                $crate::__private::classify_answer(&$catalog, status, body, Self::__build).map(Self::__from)
            }

            /// The HTTP status.
            pub fn status(&self) -> u16 {
                self.__view().status()
            }

            /// The body's code as text (integer codes in decimal), if it had one.
            pub fn code(&self) -> ::core::option::Option<&str> {
                self.__view().code()
            }

            /// The body's message, exactly as the server sent it.
            pub fn description(&self) -> ::core::option::Option<&str> {
                self.__view().description()
            }

            /// Why this error happens, in the spec's first language; for unlisted
            /// errors, what the status means.
            pub fn cause(&self) -> ::core::option::Option<&'static str> {
                self.__view().cause()
            }

            /// Why this error happens in `lang` (one of [`languages`](Self::languages)).
            pub fn cause_in(&self, lang: &str) -> ::core::option::Option<&'static str> {
                self.__view().cause_in(lang)
            }

            /// Why this error happens in Chinese, where the spec has it.
            pub fn cause_zh(&self) -> ::core::option::Option<&'static str> {
                self.__view().cause_in("zh")
            }

            /// What to do about it, in the spec's first language, for listed errors.
            pub fn remedy(&self) -> ::core::option::Option<&'static str> {
                self.__view().remedy()
            }

            /// What to do about it in `lang`, for listed errors.
            pub fn remedy_in(&self, lang: &str) -> ::core::option::Option<&'static str> {
                self.__view().remedy_in(lang)
            }

            /// What to do about it in Chinese, where the spec has it.
            pub fn remedy_zh(&self) -> ::core::option::Option<&'static str> {
                self.__view().remedy_in("zh")
            }

            /// The languages of causes and remedies, the first the default.
            pub fn languages() -> &'static [&'static str] {
                $catalog.languages
            }

            /// The retry delay the body gave, where the API puts one there (declared
            /// in the spec's `[body] retry_delay`).
            pub fn retry_delay(&self) -> ::core::option::Option<::core::time::Duration> {
                self.__view().retry_delay()
            }

            /// The retry policy: the entry's, else its status's, else
            /// [`never`]($crate::RetryPolicy::Never).
            pub fn retry(&self) -> $crate::RetryPolicy {
                self.__view().retry()
            }

            /// Whether this is a system error that must be logged and alerted on.
            pub fn should_alert(&self) -> bool {
                self.__view().should_alert()
            }

            /// Whether the catalog lists this error (not `Status` or `Unknown`).
            pub fn is_known(&self) -> bool {
                self.__view().entry().is_some()
            }

            /// The variant's name, e.g. `"ReachLimit"`.
            pub fn variant_name(&self) -> &'static str {
                self.__view().variant_name()
            }

            /// The catalog entry of a listed error.
            pub fn catalog_entry(&self) -> ::core::option::Option<&'static $crate::CatalogEntry> {
                self.__view().entry()
            }

            /// What the spec says about this error's status, if it declares it.
            pub fn status_info(&self) -> ::core::option::Option<&'static $crate::StatusInfo> {
                self.__view().status_info()
            }

            /// The values captured from the description, by placeholder name.
            pub fn fields(&self) -> $crate::Fields<'_> {
                self.__view().fields()
            }

            /// Every entry of the catalog, in spec order.
            pub fn catalog() -> &'static [$crate::CatalogEntry] {
                $catalog.entries
            }

            /// Every status the spec declares, in ascending order.
            pub fn statuses() -> &'static [$crate::StatusInfo] {
                $catalog.statuses
            }

            /// What the spec says about `status`, if it declares it.
            pub fn info_for_status(status: u16) -> ::core::option::Option<&'static $crate::StatusInfo> {
                $catalog.status_info(status)
            }

            fn __from(classified: $crate::__private::Classified<Self>) -> Self {
                match classified {
                    $crate::__private::Classified::Known(known) => known,
                    $crate::__private::Classified::Status(status) => Self::Status(status),
                    $crate::__private::Classified::Unknown(unknown) => Self::Unknown(unknown),
                }
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.__view(), f)
            }
        }

        #[automatically_derived]
        impl ::std::error::Error for $name {}

        #[automatically_derived]
        impl $crate::retry::Failure for $name {
            fn http_status(&self) -> ::core::option::Option<u16> {
                ::core::option::Option::Some(self.status())
            }

            fn retry_policy(&self) -> $crate::RetryPolicy {
                self.retry()
            }

            fn is_system_error(&self) -> bool {
                self.should_alert()
            }

            fn retry_delay_hint(&self) -> ::core::option::Option<::core::time::Duration> {
                self.retry_delay()
            }
        }

        #[automatically_derived]
        impl $crate::retry::FromResponse for $name {
            fn from_response(status: u16, body: &[u8]) -> Self {
                Self::from_response(status, body)
            }

            fn classify(status: u16, body: &[u8]) -> ::core::option::Option<Self> {
                Self::classify(status, body)
            }

            fn success_needs_body() -> bool {
                $catalog.shape.success_needs_body()
            }

            fn should_retry_header() -> ::core::option::Option<&'static str> {
                $catalog.shape.should_retry_header
            }
        }

        #[automatically_derived]
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                $crate::__private::serde::Serialize::serialize(&self.__view(), serializer)
            }
        }

        #[automatically_derived]
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::deserialize(&$catalog, deserializer, Self::__build).map(Self::__from)
            }
        }
    };
}

pub use crate::__error_enum_impls as error_enum_impls;
