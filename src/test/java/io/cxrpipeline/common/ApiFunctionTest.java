package io.cxrpipeline.common;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.cxrpipeline.testing.EmulatorsResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = EmulatorsResource.class, restrictToAnnotatedClass = false)
class ApiFunctionTest {

    @Test
    void unknownRouteIsA404ProblemNamingThePath() {
        given().contentType("application/json")
                .body("{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":\"/nowhere\","
                        + "\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/nowhere\"}}}")
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(404))
                .body("headers.content-type", equalTo("application/problem+json"))
                .body("body", containsString("/nowhere"));
    }
}
