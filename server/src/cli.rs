//! The `sspr-server` command line: serve (the default) and administrative commands.

use crate::admin::{self, AdminError, UserCommand};
use crate::clock::Clock;
use crate::config::{Config, ConfigError};
use crate::crypto::keys::ServerKeys;
use crate::delivery::{Mailer, MailerError, OutboxWorker};
use crate::directory::{Directory, DirectoryError};
use crate::policy::Scope;
use crate::services::Services;
use crate::store::{AdminStore, DatabaseLocation, Store, StoreError, UpkeepStore};
use crate::{demo, http, tls};
use clap::{Parser, Subcommand, ValueEnum};
use sspr_api::MethodKind;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "sspr-server",
    version,
    about = "Self-service password reset server"
)]
pub struct Cli {
    /// TOML configuration file (every setting has a safe default).
    #[arg(long, global = true, env = "SSPR_CONFIG")]
    pub config: Option<PathBuf>,
    /// The database: a SQLite file, or a PostgreSQL URL such as
    /// postgres://sspr@db.internal:5432/sspr (overrides server.database).
    #[arg(long, global = true, env = "SSPR_DATABASE")]
    pub database: Option<DatabaseLocation>,
    /// Log format on standard error.
    #[arg(long, global = true, env = "SSPR_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the web app (the default).
    Serve(ServeArgs),
    /// List the users in the directory.
    Users,
    /// Print the effective configuration as TOML.
    Config,
    /// Print the effective reset policy, with what it means for users and administrators.
    Policy,
    /// Administer people and their sign-in methods.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// List the ids of the security questions: built-in, then the policy's own.
    Questions,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:8080 (overrides server.listen).
    #[arg(long, env = "SSPR_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Folder of the built web app (overrides server.app_dir).
    #[arg(long, env = "SSPR_APP_DIR")]
    pub app_dir: Option<PathBuf>,
    /// Seed the demo directory and print it. Loopback addresses and a database without
    /// other people only: demo accounts have a published password and /dev/outbox shows
    /// every code.
    #[arg(long, env = "SSPR_DEMO")]
    pub demo: bool,
    /// DANGEROUS: let --demo listen on any address and seed into a database that holds
    /// other people. Never on a real directory.
    #[arg(long, env = "SSPR_DEMO_UNSAFE_ANYWHERE")]
    pub demo_unsafe_anywhere: bool,
    /// With --demo on an address beyond loopback: serve HTTPS with a certificate made at
    /// start for this machine's names, its authority written beside the database for a
    /// phone to trust (the phone authenticator needs a secure context).
    #[arg(long, env = "SSPR_DEMO_SELF_SIGNED_TLS", requires = "demo")]
    pub demo_self_signed_tls: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the database {database}: {source}")]
    Store {
        database: DatabaseLocation,
        source: StoreError,
    },
    #[error(transparent)]
    StoreQuery(#[from] StoreError),
    #[error(
        "cannot listen on {addr}: {source} (is another server running? choose another address with --listen)"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Keys(#[from] crate::crypto::keys::KeyFileError),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error("cannot print the configuration: {0}")]
    Print(#[from] toml::ser::Error),
    #[error(transparent)]
    Hash(#[from] crate::crypto::passwords::HashError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    #[error(
        "`user {0}` changes what the LDAP directory holds ([directory] kind = \"ldap\"): do it in the directory; this server follows at the person's next reset or sign-in"
    )]
    DirectorysOwn(&'static str),
    #[error(
        "{0} is not a person of the LDAP directory (no entry matches [directory] user_filter and user_id_attribute)"
    )]
    NotInDirectory(String),
    #[error("{0}")]
    People(String),
    #[error(transparent)]
    Mailer(#[from] MailerError),
    #[error(
        "the policy offers e-mail codes but no SMTP relay is configured: set [smtp] host (or run with --demo to read codes at /dev/outbox)"
    )]
    NoRelay,
    #[error(transparent)]
    Phone(#[from] crate::phone::setup::PhoneSetupError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot write: {0}")]
    Output(std::io::Error),
    #[error(
        "--demo refuses to listen on {addr}, which is not a loopback address: demo accounts have a published password and /dev/outbox shows every code. Listen on 127.0.0.1 (e.g. --listen 127.0.0.1:8080), or add --demo-unsafe-anywhere if exposing the demo is really meant"
    )]
    DemoNotLoopback { addr: SocketAddr },
    #[error(
        "--demo refuses the database {database}: it holds {count} user(s) that are not demo users (e.g. {example}), and demo mode would add accounts with a published password beside them. Use another database (e.g. --database data/demo.sqlite3), or add --demo-unsafe-anywhere if that is really meant"
    )]
    DemoForeignUsers {
        database: DatabaseLocation,
        count: usize,
        example: String,
    },
    #[error(
        "set server.public_url (the URL people reach the portal at, e.g. \"https://sspr.contoso.com\") or server.allowed_hosts (e.g. [\"sspr.contoso.com\"]) in the configuration file (--config): without either, a hostile web page could reach this server through DNS rebinding. (To try the product on this machine, use --demo.)"
    )]
    NoAllowedHosts,
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    init_logging(cli.log_format);
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(database) = cli.database {
        config.server.database = database;
    }
    match cli.command {
        None => serve(config, cli.serve).await,
        Some(Command::Serve(args)) => serve(config, args).await,
        Some(Command::Users) => {
            let store = open_store(&config).await?;
            for user in store.list_users().await? {
                println!(
                    "{}\t{}\t{}{}\t{}",
                    user.user_id,
                    user.display_name,
                    if user.is_admin { "admin" } else { "user" },
                    if user.enabled { "" } else { " (disabled)" },
                    user.groups.join(",")
                );
            }
            Ok(())
        }
        Some(Command::Config) => {
            print!("{}", toml::to_string(&config)?);
            Ok(())
        }
        Some(Command::Policy) => {
            if cli.serve.demo && config.policy.scope == Scope::Disabled {
                config.policy = demo::policy();
            }
            print!("{}", crate::policy::describe(&config.policy));
            Ok(())
        }
        Some(Command::Questions) => {
            admin::list_questions(&config.policy.security_questions, &mut std::io::stdout())
                .map_err(CliError::Output)
        }
        Some(Command::User { command }) => {
            let directory = directory(&config, open_store(&config).await?, Clock::system())?;
            people_of_the_directory(&config, &directory, &command).await?;
            admin::run_user(
                &directory,
                command,
                usize::from(config.policy.security_questions.register),
                &mut std::io::stdin().lock(),
                &mut std::io::stdout(),
            )
            .await?;
            Ok(())
        }
    }
}

/// With an LDAP directory, a `user` command is about one of its people: this server's row
/// of them is brought up to date from it first (created at the first command, as at the
/// first reset), and what the directory itself holds is changed there, not here.
async fn people_of_the_directory(
    config: &Config,
    directory: &Directory,
    command: &UserCommand,
) -> Result<(), CliError> {
    let people = crate::people::People::new(&config.directory).map_err(|message| {
        CliError::Config(ConfigError::Invalid {
            key: "directory",
            message,
        })
    })?;
    if people.is_embedded() {
        return Ok(());
    }
    if let Some(name) = command.directorys_own() {
        return Err(CliError::DirectorysOwn(name));
    }
    let person = people
        .refresh(&directory.store, command.user_id(), directory.clock.now())
        .await
        .map_err(|error| CliError::People(error.to_string()))?;
    match person {
        Some(_) => Ok(()),
        None => Err(CliError::NotInDirectory(command.user_id().to_owned())),
    }
}

fn directory(config: &Config, store: Store, clock: Clock) -> Result<Directory, CliError> {
    let keys = Arc::new(ServerKeys::load_or_create(&config.key_file())?);
    Ok(Directory {
        custom_questions: config.policy.security_questions.custom.len(),
        phone_region: crate::phone::number::region(&config.phone.default_region)
            .unwrap_or(phonenumber::country::Id::US),
        ..Services::new(store, keys, clock)?.directory()
    })
}

async fn open_store(config: &Config) -> Result<Store, CliError> {
    Store::open(&config.server.database)
        .await
        .map_err(|source| CliError::Store {
            database: config.server.database.clone(),
            source,
        })
}

async fn serve(mut config: Config, args: ServeArgs) -> Result<(), CliError> {
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if let Some(app_dir) = &args.app_dir {
        config.server.app_dir = app_dir.clone();
    }
    if args.demo {
        check_demo_address(&config, &args)?;
    } else if config.server.public_url.is_none() && config.server.allowed_hosts.is_empty() {
        return Err(CliError::NoAllowedHosts);
    }
    let tls = serve_tls(&config, &args)?;
    if args.demo && config.organisation.helpdesk_url.is_none() {
        // Every dead end of the portal links to the help desk: the demo shows one.
        config.organisation.helpdesk_url = Some(demo::HELPDESK_URL.to_owned());
    }
    if args.demo && config.phone.provider == crate::phone::ProviderChoice::None {
        // Texts and calls land on the phone simulator (/dev/phone).
        config.phone.provider = crate::phone::ProviderChoice::Demo;
        config.phone.default_region = demo::PHONE_REGION.to_owned();
    }
    if args.demo && config.policy.scope == Scope::Disabled {
        config.policy = demo::policy();
        tracing::info!(
            "demo mode: the demo reset policy applies (see `sspr-server --demo policy`)"
        );
    }
    let mailer = Mailer::from_config(&config.smtp)?;
    if mailer.is_none() {
        let emails = config.policy.scope != Scope::Disabled
            && config.policy.methods.contains(&MethodKind::Email);
        if emails && !args.demo {
            return Err(CliError::NoRelay);
        }
        tracing::warn!("no [smtp] host: e-mail stays in the outbox (demo: see /dev/outbox)");
    }
    let phone = crate::phone::setup::provider(&config, args.demo, Clock::system())?;
    let store = open_store(&config).await?;
    // One bundle for the whole process: one hasher, so its bound on concurrent hashes
    // holds for the directory and the reset flow together.
    let keys = Arc::new(ServerKeys::load_or_create(&config.key_file())?);
    let mut services = Services::new(store.clone(), keys, Clock::system())?;
    services.demo = args.demo;
    services.phone = phone.telephony;
    services.demo_phone = phone.demo;
    services.people = crate::people::People::new(&config.directory).map_err(|message| {
        CliError::Config(ConfigError::Invalid {
            key: "directory",
            message,
        })
    })?;
    if args.demo {
        check_demo_database(&config, &args, &store).await?;
        let added = demo::seed(&services.directory()).await?;
        tracing::info!(added, "demo directory seeded");
    }
    if !config.server.app_dir.join("index.html").exists() {
        tracing::warn!(
            app_dir = %config.server.app_dir.display(),
            "no index.html in the app folder: the API works, the web app is not built"
        );
    } else {
        match http::app_files::precompress(&config.server.app_dir) {
            Ok(written) => tracing::info!(written, "app files precompressed (brotli)"),
            Err(error) => {
                tracing::warn!(%error, "cannot precompress the app files; compressing on the fly")
            }
        }
    }
    let addr = config.server.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| CliError::Bind { addr, source })?;
    let local = listener.local_addr().map_err(CliError::Serve)?;
    // The bound port (the configured one may be 0) names the loopback hosts in demo mode.
    config.server.listen = local;
    if args.demo && local.ip().is_loopback() && config.server.embedding_origins.is_empty() {
        // The example login page (http://localhost:PORT/example-host/) may embed the portal.
        let (host, _) = http::example_host::origins(local.port());
        config.server.embedding_origins = vec![host];
    }
    let url = match &tls {
        Some(_) => format!("https://{local}"),
        None => format!("http://{local}"),
    };
    if let Some(ServeTls::Demo(demo)) = &tls {
        demo_tls_notice(&mut config, demo, local.port())?;
    }
    if args.demo {
        println!("{}", demo::banner(&url, &store.list_users().await?));
        if local.ip().is_loopback() && tls.is_none() {
            let (host, portal) = http::example_host::origins(local.port());
            println!(
                "Example login page embedding the portal from another site: {host}/example-host/ (portal at {portal})\n"
            );
        }
    }
    // Tests and scripts wait for this exact line.
    println!("SSPR listening on {url}");
    tracing::info!(%url, database = %config.server.database, "serving");
    let push = crate::push::config::sender(&config, &services.keys);
    if mailer.is_some() || services.phone.is_some() || push.is_some() {
        let worker = OutboxWorker {
            store: services.store.clone(),
            keys: Arc::clone(&services.keys),
            clock: services.clock.clone(),
            mailer,
            phone: services.phone.clone(),
            push,
            max_attempts: config.smtp.max_attempts,
        };
        tokio::spawn(worker.run(Arc::clone(&services.outbox)));
    }
    tokio::spawn(purge_hourly(
        services.store.clone(),
        services.clock.clone(),
        config.audit_retention(),
    ));
    let app = http::router(&config, services).into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        Some(tls) => {
            let listener = tls::listener(listener, tls.server()).map_err(CliError::Serve)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await
        }
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await
        }
    }
    .map_err(CliError::Serve)
}

/// What the server serves HTTPS with.
enum ServeTls {
    /// `[server] tls_cert_file` and `tls_key_file`.
    Files(Arc<rustls::ServerConfig>),
    /// `--demo-self-signed-tls`: certificates made at start.
    Demo(tls::DemoCertificate),
}

impl ServeTls {
    fn server(self) -> Arc<rustls::ServerConfig> {
        match self {
            ServeTls::Files(server) => server,
            ServeTls::Demo(demo) => demo.server,
        }
    }
}

/// The configured certificate, checked now; or, asked for in demo mode beyond loopback,
/// one made now. Without either, plain HTTP.
fn serve_tls(config: &Config, args: &ServeArgs) -> Result<Option<ServeTls>, CliError> {
    if let (Some(cert), Some(key)) = (&config.server.tls_cert_file, &config.server.tls_key_file) {
        if args.demo_self_signed_tls {
            tracing::warn!(
                "--demo-self-signed-tls: server.tls_cert_file is set; serving with that certificate"
            );
        }
        return Ok(Some(ServeTls::Files(tls::load(cert, key)?)));
    }
    if !args.demo_self_signed_tls {
        return Ok(None);
    }
    let ip = config.server.listen.ip();
    if ip.is_loopback() {
        tracing::info!(
            "--demo-self-signed-tls: {ip} is a loopback address, which browsers count as secure over plain HTTP; no certificate made"
        );
        return Ok(None);
    }
    let demo = tls::demo_certificate(tls::demo_names(ip), std::time::SystemTime::now())?;
    Ok(Some(ServeTls::Demo(demo)))
}

/// Writes the demo's certificate authority beside the database and says how to trust it;
/// lets requests name the certificate's hosts (unless hosts are configured).
fn demo_tls_notice(
    config: &mut Config,
    demo: &tls::DemoCertificate,
    port: u16,
) -> Result<(), CliError> {
    let path = tls::write_demo_authority(&config.server.database.local_folder(), demo)?;
    if config.server.public_url.is_none() && config.server.allowed_hosts.is_empty() {
        config.server.allowed_hosts = demo
            .names
            .iter()
            .map(|name| tls::host_with_port(name, port))
            .collect();
    }
    let urls: Vec<String> = demo
        .names
        .iter()
        .filter(|name| {
            name.parse::<std::net::IpAddr>()
                .map_or(*name != "localhost", |ip| !ip.is_loopback())
        })
        .map(|name| format!("https://{}", tls::host_with_port(name, port)))
        .collect();
    // Links to open on a phone (enrol QR codes, notices) use the first network address.
    config.server.demo_link_origin = urls.first().cloned();
    tracing::info!(path = %path.display(), fingerprint = %demo.authority_fingerprint, "demo TLS certificate made");
    println!(
        "\nDemo TLS (--demo-self-signed-tls): a certificate made now for {names}.\n\
         Its authority, to install and trust on a phone (made anew at every start):\n  \
         {path}\n  SHA-256 {fingerprint}\n\
         Then open {urls}",
        names = demo.names.join(", "),
        path = path.display(),
        fingerprint = demo.authority_fingerprint,
        urls = if urls.is_empty() {
            "the server by one of these names".to_owned()
        } else {
            urls.join(" or ")
        },
    );
    Ok(())
}

/// Demo mode on a loopback address only, unless the operator insists (loudly).
fn check_demo_address(config: &Config, args: &ServeArgs) -> Result<(), CliError> {
    let addr = config.server.listen;
    if addr.ip().is_loopback() {
        return Ok(());
    }
    if !args.demo_unsafe_anywhere {
        return Err(CliError::DemoNotLoopback { addr });
    }
    warn_unsafe_demo(&format!(
        "the demo listens on {addr}, not on a loopback address"
    ));
    Ok(())
}

/// Demo accounts only beside demo accounts, unless the operator insists (loudly).
async fn check_demo_database(
    config: &Config,
    args: &ServeArgs,
    store: &Store,
) -> Result<(), CliError> {
    let foreign: Vec<String> = store
        .list_users()
        .await?
        .into_iter()
        .map(|user| user.user_id)
        .filter(|id| {
            !demo::DEMO_USERS
                .iter()
                .any(|demo| demo.user_id.eq_ignore_ascii_case(id))
        })
        .collect();
    let Some(example) = foreign.first() else {
        return Ok(());
    };
    if !args.demo_unsafe_anywhere {
        return Err(CliError::DemoForeignUsers {
            database: config.server.database.clone(),
            count: foreign.len(),
            example: example.clone(),
        });
    }
    warn_unsafe_demo(&format!(
        "the database {} holds {} user(s) that are not demo users",
        config.server.database,
        foreign.len()
    ));
    Ok(())
}

fn warn_unsafe_demo(what: &str) {
    tracing::warn!(what, "--demo-unsafe-anywhere: demo mode runs unguarded");
    eprintln!(
        "\n!!! WARNING: --demo-unsafe-anywhere: {what}.\n\
         !!! Demo accounts have a published password and a published authenticator secret;\n\
         !!! anyone who can reach this server can sign in as them. Never use this on a real\n\
         !!! directory or a network you do not control.\n"
    );
}

/// Deletes what no longer decides anything (see the retention times in [`crate::store::records`]), every hour
/// from start.
async fn purge_hourly(store: Store, clock: Clock, audit_retention: std::time::Duration) {
    let mut interval = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match store.purge(clock.now(), audit_retention).await {
            Ok(report) => tracing::info!(
                audit_events = report.audit_events,
                spent_captchas = report.spent_captchas,
                sends = report.sends,
                reset_flows = report.reset_flows,
                failure_counters = report.failure_counters,
                "purged old records"
            ),
            Err(error) => {
                tracing::error!(%error, "cannot purge old records; trying again in an hour")
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SSPR_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    // Colours only on a terminal: logs captured to files stay plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // `try_init` fails only when a subscriber is already set (tests); keep that one.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
