from django.contrib import admin

from .models import AdCampaign, AdStatDaily


@admin.register(AdCampaign)
class AdCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "account", "status", "daily_budget", "currency"]
    list_filter = ["status"]
    raw_id_fields = ["account"]


@admin.register(AdStatDaily)
class AdStatDailyAdmin(admin.ModelAdmin):
    list_display = ["campaign", "day", "spend", "currency", "impressions", "clicks", "leads"]
    raw_id_fields = ["account", "campaign"]
