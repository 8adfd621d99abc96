//! The actix application every worker serves, over HTTP or HTTPS: the
//! routes, and the one middleware every request passes (head limits, then
//! the body drain).

use crate::routes;
use crate::state::State;
use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App};

/// One worker's application.
pub(super) fn app(
    data: web::Data<State>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<EitherBody<BoxBody>>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limits = data.clone();
    App::new()
        .configure(|cfg| routes::configure(cfg, data))
        .default_service(web::to(routes::not_found))
        .wrap_fn(move |mut req, srv| {
            use actix_web::dev::Service;
            use futures_util::future::Either;
            match routes::oversized_head(&limits, req.request()) {
                Some(error) => {
                    let state = limits.clone();
                    Either::Left(async move {
                        let answer =
                            crate::lifecycle::answer_error(&state, req.request(), error).await;
                        Ok(req.into_response(answer).map_into_right_body())
                    })
                }
                None => {
                    // What the handler leaves of the body is read after it
                    // answers, so the connection (and what is pipelined on
                    // it) survives a refusal.
                    let leftover = crate::lifecycle::drain::intercept(&mut req, &limits.config);
                    let answer = srv.call(req);
                    Either::Right(async move {
                        // A refusal may come as an error (the admin guard's):
                        // drained all the same.
                        let response = answer.await;
                        leftover.drain().await;
                        Ok(response?.map_into_left_body())
                    })
                }
            }
        })
}
