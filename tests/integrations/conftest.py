"""Fixtures of the integrations tests: point the connect flows at a local server playing the platform."""

import pytest


@pytest.fixture
def vk_env(monkeypatch, httpserver):
    monkeypatch.setenv("VK_CLIENT_ID", "51234567")
    monkeypatch.setenv("VK_ID_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("SITE_URL", "https://smm.example.com")
    return httpserver


@pytest.fixture
def meta_env(monkeypatch, httpserver):
    monkeypatch.setenv("META_APP_ID", "987654321")
    monkeypatch.setenv("META_APP_SECRET", "meta-app-secret-xyz")
    monkeypatch.setenv("META_GRAPH_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("SITE_URL", "https://smm.example.com")
    return httpserver


@pytest.fixture
def telegram_env(monkeypatch, httpserver):
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", httpserver.url_for("/").rstrip("/"))
    return httpserver
