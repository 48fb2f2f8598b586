//! One app server of the fleet benchmark: the `fleet` binary run again with `CHILD` set.
//! It has its own reqwest client, app-token provider and `RedisLimiter`, offers `RATE`
//! GETs per second for `SECONDS` from t = 0 (open loop), and reports on stdout, for the
//! parent: `mode NAME t_us=N` at each mode change, then `done OFFERED OK ERRORS LOST`
//! (the same in words on stderr).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use easemob_errors::EasemobError;
use easemob_errors::limiter::LimiterConfig;
use easemob_errors::limiter::redis::{RedisLimiter, RedisLimiterConfig};
use easemob_errors::middleware::EasemobMiddleware;
use easemob_errors::retry::RetryConfig;
use easemob_errors::token::AppTokenProvider;

/// The app server's number; set only in app servers.
pub const CHILD: &str = "EASEMOB_FLEET_CHILD";
/// The Redis URL, the Easemob-like server's base URL.
pub const REDIS: &str = "EASEMOB_FLEET_REDIS";
pub const SERVER: &str = "EASEMOB_FLEET_SERVER";
/// t = 0, microseconds since the Unix epoch.
pub const T0_UNIX_US: &str = "EASEMOB_FLEET_T0_UNIX_US";
/// This app server's offer (requests/s), the key's limit (for all), how many share it,
/// and how long the offer lasts (s).
pub const RATE: &str = "EASEMOB_FLEET_RATE";
pub const LIMIT: &str = "EASEMOB_FLEET_LIMIT";
pub const INSTANCES: &str = "EASEMOB_FLEET_INSTANCES";
pub const SECONDS: &str = "EASEMOB_FLEET_SECONDS";

/// Each request's deadline (its wait for a slot included): a request that cannot be
/// sent within it fails with `Busy` at once.
const DEADLINE: Duration = Duration::from_secs(1);
/// A request not ended this long after its start is lost.
const LOST_AFTER: Duration = Duration::from_secs(10);

struct Env {
    name: String,
    /// The seed of the arrival times (the app server's number).
    seed: u64,
    redis: String,
    server: String,
    t0_unix: Duration,
    rate: f64,
    limit: f64,
    instances: u32,
    seconds: u64,
}

fn var<T: std::str::FromStr>(name: &str) -> Result<T, String> {
    let value = std::env::var(name).map_err(|_| format!("{name} is not set"))?;
    value.parse().map_err(|_| format!("{name}={value} is not valid"))
}

impl Env {
    fn read() -> Result<Env, String> {
        Ok(Env {
            name: format!("app {}", var::<u64>(CHILD)?),
            seed: var::<u64>(CHILD)?,
            redis: var(REDIS)?,
            server: var(SERVER)?,
            t0_unix: Duration::from_micros(var(T0_UNIX_US)?),
            rate: var(RATE)?,
            limit: var(LIMIT)?,
            instances: var(INSTANCES)?,
            seconds: var(SECONDS)?,
        })
    }

    /// t = 0 as an instant of this process.
    fn t0(&self) -> Instant {
        let now = Instant::now();
        let unix_now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        match self.t0_unix.checked_sub(unix_now) {
            Some(ahead) => now + ahead,
            None => now.checked_sub(unix_now - self.t0_unix).unwrap_or(now),
        }
    }
}

pub fn main() -> ExitCode {
    let env = match Env::read() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("[fleet app] {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let Ok(runtime) = runtime else {
        eprintln!("[{}] no tokio runtime", env.name);
        return ExitCode::FAILURE;
    };
    match runtime.block_on(run(env)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("[fleet app] {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(env: Env) -> Result<(), String> {
    let t0 = env.t0();
    let config = RedisLimiterConfig::new(env.instances).limiter(LimiterConfig::default().rate(env.limit));
    let name = env.name.clone();
    let limiter = RedisLimiter::open(&env.redis, config)
        .map_err(|e| format!("{}: {e}", env.redis))?
        .on_mode_change(move |mode, why| {
            let t = t0.elapsed();
            say(&format!("[{name}] t={:.3} s: {mode} ({why})", t.as_secs_f64()));
            println!("mode {mode} t_us={}", t.as_micros());
        });
    let tokens = AppTokenProvider::new(&env.server, "org", "app", "client-id", "client-secret");
    let middleware = EasemobMiddleware::<EasemobError>::new()
        .with_tokens(tokens)
        .with_limiter(Some(Arc::new(limiter)))
        .with_config(RetryConfig::default().deadline(DEADLINE));
    let client =
        Arc::new(reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).with(middleware).build());

    // The i-th request at a random time within its 1/RATE s: app servers do not send in
    // step (in step, the one whose requests come first after each slot frees up would
    // take every slot).
    let mut rng = fastrand::Rng::with_seed(env.seed);
    let count = (env.rate * env.seconds as f64) as usize;
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let at = (i as f64 + rng.f64()) / env.rate;
        tokio::time::sleep_until((t0 + Duration::from_secs_f64(at)).into()).await;
        let client = Arc::clone(&client);
        let url = format!("{}/org/app/users/u{i}", env.server);
        let id = format!("{}-{i}", env.name);
        tasks.push(tokio::spawn(async move {
            let sent = client.get(url).header("x-request-id", id).send();
            match tokio::time::timeout(LOST_AFTER, sent).await {
                Ok(Ok(response)) => Some(response.status().is_success()),
                Ok(Err(_)) => Some(false),
                Err(_) => None,
            }
        }));
    }
    let (mut ok, mut errors, mut lost) = (0u64, 0u64, 0u64);
    for task in tasks {
        match task.await {
            Ok(Some(true)) => ok += 1,
            Ok(Some(false)) => errors += 1,
            Ok(None) | Err(_) => lost += 1,
        }
    }
    say(&format!(
        "[{}] t={:.3} s: done: {count} offered, {ok} ok, {errors} errors, {lost} lost",
        env.name,
        t0.elapsed().as_secs_f64()
    ));
    println!("done {count} {ok} {errors} {lost}");
    Ok(())
}

/// One line on stderr in one write, so that the app servers' lines do not interleave.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}
